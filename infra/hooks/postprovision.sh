#!/bin/sh
# azd postprovision hook: everything is in Bicep (Event Grid delivers to storage queues, so no function key has to
# exist before a subscription can be made) except what Microsoft Graph holds: a domain's app identity is given the
# mesh API app role DataMesh.Domain.<domain> here (mesh-api.sh grant-domain). Then: what was provisioned, what next.
set -eu

if [ "${DATAMESH_MODE:-domain}" = "hub" ]; then
  cat <<MSG
Mesh hub provisioned in ${AZURE_RESOURCE_GROUP:-?}: topic ${MESH_TOPIC_NAME:-?} (${MESH_TOPIC_ENDPOINT:-?}).
For each domain environment (azd env new <domain>), set:
  azd env set MESH_RESOURCE_GROUP ${MESH_RESOURCE_GROUP:-?}
  azd env set MESH_TOPIC_NAME ${MESH_TOPIC_NAME:-?}
  azd env set MESH_DELIVERY_IDENTITY_NAME ${MESH_DELIVERY_IDENTITY_NAME:-?}
  azd env set MESH_API_CLIENT_ID ${MESH_API_CLIENT_ID:-?}
Callers read domain and restricted products with a token for api://${MESH_API_CLIENT_ID:-?} that carries the app role
DataMesh.Domain.<domain> or DataMesh.Operator (assign them to people, groups or identities in Entra ID).
MSG
else
  "$(dirname "$0")/mesh-api.sh" grant-domain
  cat <<MSG
Domain ${DATAMESH_DOMAIN:-?} provisioned in ${AZURE_RESOURCE_GROUP:-?}: app ${AZURE_FUNCTION_APP_NAME:-?}, storage ${AZURE_STORAGE_ACCOUNT_NAME:-?}.
Files written to ${DATAMESH_LANDING_URL:-?}/<landing.path> start that product's pipeline, e.g.:
  az storage blob upload --auth-mode login --account-name ${AZURE_STORAGE_ACCOUNT_NAME:-?} \\
    --container-name landing --name ledger/emea/gl_entries.csv --file gl_entries.csv
MSG
fi
