#!/bin/sh
# The mesh API app registration (Microsoft Entra ID): the audience of the tokens App Service authentication accepts
# on the hub and on every domain app, and the app roles callers read data with (DataMesh.Operator, and
# DataMesh.Domain.<domain> for each domain under pipelines/).
#
#   mesh-api.sh ensure-app     (hub preprovision) create or reuse the registration, make its app roles match the
#                              domains under pipelines/, and `azd env set MESH_API_CLIENT_ID <appId>`.
#   mesh-api.sh grant-domain   (domain postprovision) give the domain app's managed identity the app role
#                              DataMesh.Domain.<domain>; warns with the command to run when Graph refuses.
#
# Idempotent: a second run changes nothing. Needs `az` signed in (azd auth login does not sign `az` in: az login).
# DATAMESH_CLI overrides how the datamesh CLI is run (tests use it); the default runs the clone's built CLI.
set -eu

root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"

datamesh_cli="${DATAMESH_CLI:-dotnet run --no-build --project src/DataMesh.Cli -c Release --}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

graph_url() {
  # The Microsoft Graph endpoint of the signed-in cloud, with its trailing '/'.
  az cloud show --query endpoints.microsoftGraphResourceId -o tsv
}

ensure_app() {
  name="${MESH_API_APP_NAME:-datamesh-${AZURE_ENV_NAME:?AZURE_ENV_NAME is not set: run through azd}-api}"
  app_id="${MESH_API_CLIENT_ID:-}"
  if [ -n "$app_id" ]; then
    if ! az ad app show --id "$app_id" --query appId -o tsv >/dev/null; then
      echo "error: MESH_API_CLIENT_ID is '$app_id', but no app registration has that appId in this tenant." >&2
      echo "  Unset it (azd env set MESH_API_CLIENT_ID '') to create '$name', or set the appId of the mesh's registration." >&2
      exit 1
    fi
    echo "Mesh API app registration: reusing $app_id (MESH_API_CLIENT_ID)."
  else
    found="$(az ad app list --display-name "$name" --query "[].appId" -o tsv)"
    count="$(printf '%s' "$found" | grep -c . || true)"
    case "$count" in
      0)
        app_id="$(az ad app create --display-name "$name" --sign-in-audience AzureADMyOrg --query appId -o tsv)"
        echo "Mesh API app registration: created '$name' ($app_id)."
        ;;
      1)
        app_id="$found"
        echo "Mesh API app registration: reusing '$name' ($app_id)."
        ;;
      *)
        echo "error: $count app registrations are named '$name': azd env set MESH_API_CLIENT_ID <appId> to say which is the mesh's." >&2
        exit 1
        ;;
    esac
  fi

  # Tokens are requested for api://<appId>; the Bicep's allowed audience is the same string.
  az ad app update --id "$app_id" --identifier-uris "api://$app_id"

  # The roles: one per domain under pipelines/ and the operator; roles no longer declared stay, disabled (Graph
  # refuses to delete an enabled role), and role ids never change once created.
  az ad app show --id "$app_id" --query appRoles -o json >"$work/existing.json"
  # shellcheck disable=SC2086 # DATAMESH_CLI is a command line, split on purpose.
  $datamesh_cli infra app-roles --pipelines pipelines --existing "$work/existing.json" >"$work/roles.json"
  az ad app update --id "$app_id" --app-roles "@$work/roles.json"

  # v2.0 access tokens: the issuer App Service authentication validates is https://login.microsoftonline.com/<tenant>/v2.0.
  az rest --method PATCH --url "$(graph_url)v1.0/applications(appId='$app_id')" \
    --headers Content-Type=application/json --body '{"api":{"requestedAccessTokenVersion":2}}'

  # Tokens can only be issued for an app that has a service principal in the tenant; role assignments target it too.
  if [ -z "$(az ad sp list --filter "appId eq '$app_id'" --query "[].id" -o tsv)" ]; then
    az ad sp create --id "$app_id" --query id -o tsv >/dev/null
    echo "Mesh API service principal created."
  fi

  azd env set MESH_API_CLIENT_ID "$app_id"
}

grant_domain() {
  domain="${DATAMESH_DOMAIN:?DATAMESH_DOMAIN is not set}"
  app_id="${MESH_API_CLIENT_ID:?MESH_API_CLIENT_ID is not set}"
  principal="${DATAMESH_APP_PRINCIPAL_ID:?DATAMESH_APP_PRINCIPAL_ID is not set: provision the domain first}"
  role="DataMesh.Domain.$domain"
  graph="$(graph_url)"

  resource="$(az ad sp list --filter "appId eq '$app_id'" --query "[0].id" -o tsv)"
  role_id="$(az ad sp list --filter "appId eq '$app_id'" --query "[0].appRoles[?value=='$role' && isEnabled].id | [0]" -o tsv)"
  if [ -z "$resource" ] || [ -z "$role_id" ]; then
    echo "warning: the mesh API ($app_id) has no service principal or no enabled app role $role:" >&2
    echo "  re-provision the hub (azd provision -e <hub environment>) so its preprovision hook adds the role for pipelines/$domain/." >&2
    return 0
  fi

  assigned="$(az rest --method GET --url "${graph}v1.0/servicePrincipals/$principal/appRoleAssignments" \
    --query "length(value[?resourceId=='$resource' && appRoleId=='$role_id'])" -o tsv)"
  if [ "$assigned" != "0" ]; then
    echo "The app identity ($principal) already holds $role on the mesh API."
    return 0
  fi

  body="{\"principalId\":\"$principal\",\"resourceId\":\"$resource\",\"appRoleId\":\"$role_id\"}"
  # A managed identity created moments ago may not have reached Microsoft Graph yet: try a few times.
  attempt=1
  while ! az rest --method POST --url "${graph}v1.0/servicePrincipals/$resource/appRoleAssignedTo" \
    --headers Content-Type=application/json --body "$body" --query id -o tsv >/dev/null; do
    if [ "$attempt" -ge "${MESH_API_GRANT_ATTEMPTS:-5}" ]; then
      echo "warning: could not give the app identity ($principal) the app role $role on the mesh API." >&2
      echo "  Assigning app roles needs the Cloud Application Administrator role or ownership of the mesh API's service" >&2
      echo "  principal. Ask the mesh operator to run:" >&2
      echo "  az rest --method POST --url '${graph}v1.0/servicePrincipals/$resource/appRoleAssignedTo' --headers Content-Type=application/json --body '$body'" >&2
      return 0
    fi
    attempt=$((attempt + 1))
    sleep "${MESH_API_GRANT_DELAY:-10}"
  done
  echo "The app identity ($principal) now holds $role on the mesh API."
}

case "${1:-}" in
  ensure-app) ensure_app ;;
  grant-domain) grant_domain ;;
  *)
    echo "usage: $0 ensure-app|grant-domain" >&2
    exit 2
    ;;
esac
