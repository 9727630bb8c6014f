#!/bin/sh
# Validates the mesh's product specs, contracts and policies (datamesh validate): a spec that would fail in
# Azure fails here, before anything is provisioned or packaged. Exit code 1 = invalid specs.
set -eu

root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"

echo "datamesh validate pipelines/"
dotnet run --project src/DataMesh.Cli -c Release -- validate pipelines
