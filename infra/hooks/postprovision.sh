#!/bin/sh
# azd postprovision hook: everything is in Bicep (Event Grid delivers to storage queues, so no function key has to
# exist before a subscription can be made) except what Microsoft Graph holds: a domain's app identity is given the
# mesh API app role DataMesh.Domain.<domain> here (mesh-api.sh grant-domain). Then: what was provisioned, what next.
set -eu

if [ "${DATAMESH_MODE:-domain}" = "hub" ]; then
  cat <<MSG
Mesh hub provisioned in ${AZURE_RESOURCE_GROUP:-?} (catalog subscriptions for the domains in infra/domains.json).
Add the hub to infra/domains.json (beside "domains") so that each domain lets the catalog read its release manifests
(only those) and the catalog records a release only once its manifest exists; then the domains provision again:
  "hub": { "appPrincipalId": "${DATAMESH_APP_PRINCIPAL_ID:-?}" }
For each domain environment (azd env new <domain>), set:
  azd env set MESH_API_CLIENT_ID ${MESH_API_CLIENT_ID:-?}
  azd env set MESH_OPERATOR_PRINCIPAL_ID ${MESH_OPERATOR_PRINCIPAL_ID:-?}
  azd env set MESH_OPERATOR_PRINCIPAL_TYPE ${MESH_OPERATOR_PRINCIPAL_TYPE:-User}
Callers read domain and restricted products with a token for api://${MESH_API_CLIENT_ID:-?} that carries the app role
DataMesh.Domain.<domain> or DataMesh.Operator (assign them to people, groups or identities in Entra ID).
MSG
else
  "$(dirname "$0")/mesh-api.sh" grant-domain
  cat <<MSG
Domain ${DATAMESH_DOMAIN:-?} provisioned in ${AZURE_RESOURCE_GROUP:-?}: app ${AZURE_FUNCTION_APP_NAME:-?}, storage ${AZURE_STORAGE_ACCOUNT_NAME:-?}, topic ${DATAMESH_TOPIC_NAME:-?}.
Files written to ${DATAMESH_LANDING_URL:-?}/<landing.path> start that product's pipeline, e.g.:
  az storage blob upload --auth-mode login --account-name ${AZURE_STORAGE_ACCOUNT_NAME:-?} \\
    --container-name landing --name ledger/emea/gl_entries.csv --file gl_entries.csv
To join the mesh, add this entry under "domains" in infra/domains.json (a pull request to the mesh repository), then the
hub operator runs azd provision -e <hub>, and the domains that read or are read by ${DATAMESH_DOMAIN:-?} provision again:
  "${DATAMESH_DOMAIN:-?}": { "subscriptionId": "${AZURE_SUBSCRIPTION_ID:-?}", "resourceGroup": "${AZURE_RESOURCE_GROUP:-?}", "storageAccount": "${AZURE_STORAGE_ACCOUNT_NAME:-?}", "topic": "${DATAMESH_TOPIC_NAME:-?}", "topicIdentity": "${DATAMESH_TOPIC_IDENTITY_NAME:-?}", "topicPrincipalId": "${DATAMESH_TOPIC_PRINCIPAL_ID:-?}", "appPrincipalId": "${DATAMESH_APP_PRINCIPAL_ID:-?}" }
MSG
  if [ -n "${DATAMESH_PENDING_DOMAINS:-}" ]; then
    echo "Not wired yet (not in infra/domains.json): ${DATAMESH_PENDING_DOMAINS}. Provision again once they are registered."
  fi
fi
