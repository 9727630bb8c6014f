#!/bin/sh
# azd preprovision hook: validate the specs, check that the environment names a domain with products (or the hub)
# and, for a domain, the hub it joins; regenerate infra/generated/subscriptions.json from the specs (`datamesh infra`;
# validate.sh has just built the CLI) - who reads whom, which main.bicep joins with the registry infra/domains.json. The hub creates or updates the mesh API app registration (mesh-api.sh) and
# sets MESH_API_CLIENT_ID, which every app's App Service authentication validates tokens for.
set -eu

root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"

"$root/infra/hooks/validate.sh"

mode="${DATAMESH_MODE:-domain}"
case "$mode" in
  hub)
    "$root/infra/hooks/mesh-api.sh" ensure-app
    echo "Provisioning the mesh hub: catalog storage, catalog app, hub topic, and the catalog subscriptions of the domains in infra/domains.json."
    exit 0
    ;;
  domain) ;;
  *)
    echo "error: DATAMESH_MODE is '$mode': use 'domain' (default) or 'hub' (azd env set DATAMESH_MODE hub)." >&2
    exit 1
    ;;
esac

domain="${DATAMESH_DOMAIN:-${AZURE_ENV_NAME:-}}"
if ! printf '%s' "$domain" | grep -Eq '^[a-z0-9]+(-[a-z0-9]+)*$'; then
  echo "error: domain '$domain' is not a domain name (lowercase letters, digits, '-'): azd env set DATAMESH_DOMAIN <domain>." >&2
  exit 1
fi
if [ ! -d "pipelines/$domain" ]; then
  echo "error: no pipelines/$domain/ folder: domain '$domain' has no products (azd env set DATAMESH_DOMAIN <domain>)." >&2
  exit 1
fi

missing=""
for name in MESH_API_CLIENT_ID; do
  eval "value=\${$name:-}"
  if [ -z "$value" ]; then
    missing="$missing $name"
  fi
done
if [ -n "$missing" ]; then
  echo "error: domain '$domain' needs the mesh hub; not set:$missing." >&2
  echo "  Deploy the hub once (azd env new mesh && azd env set DATAMESH_MODE hub && azd up), then in this" >&2
  echo "  environment: azd env set <NAME> <value> for each, with the values the hub's postprovision printed." >&2
  exit 1
fi

if [ -z "${MESH_OPERATOR_PRINCIPAL_ID:-}" ]; then
  echo "warning: MESH_OPERATOR_PRINCIPAL_ID is not set: the hub operator cannot subscribe the catalog to this domain's topic" >&2
  echo "  until someone grants EventGrid EventSubscription Contributor on this resource group (azd env set MESH_OPERATOR_PRINCIPAL_ID <id the hub printed>)." >&2
fi

# Who reads whom is generated from the specs (main.bicep loads the file and joins it with infra/domains.json).
echo "datamesh infra --out infra/generated/subscriptions.json"
dotnet run --no-build --project src/DataMesh.Cli -c Release -- infra --out infra/generated/subscriptions.json

echo "Provisioning domain '$domain': its own resource group only (its topic, its grants to the domains in infra/domains.json)."
