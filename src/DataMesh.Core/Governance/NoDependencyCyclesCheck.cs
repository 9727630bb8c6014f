namespace DataMesh.Governance;

/// <summary><c>no-dependency-cycles</c>: no product reads, through other products, its own output.</summary>
internal sealed class NoDependencyCyclesCheck : IPolicyCheck
{
    public string Id => PolicyIds.NoDependencyCycles;

    public string Code => PolicyDiagnosticCodes.NoDependencyCycles;

    public string DefaultMessage => "a cycle of products would trigger itself for ever and has no first version";

    public IReadOnlyList<PolicyParameter> Parameters { get; } = [];

    public IEnumerable<PolicyViolation> Check(PolicyScope scope, MeshPolicy policy)
    {
        foreach (var product in scope.Products)
        {
            foreach (var input in product.Inputs.Where(i => i.Product is not null && scope.MeshProducts.ContainsKey(i.Product)))
            {
                var path = ShortestPath(scope, input.Product!, product.Id);
                if (path is not null)
                {
                    var cycle = string.Join(" -> ", [product.Id, .. path]);
                    yield return new PolicyViolation(product, scope.InSpec(product, $"inputs[name={input.Name}].product"),
                        $"inputs '{input.Name}': reading {input.Product} closes a cycle ({cycle}); break it by removing one of these inputs.");
                }
            }
        }
    }

    /// <summary>The products from <paramref name="start"/> to <paramref name="target"/> along inputs (breadth first), or null.</summary>
    private static List<string>? ShortestPath(PolicyScope scope, string start, string target)
    {
        var previous = new Dictionary<string, string?>(StringComparer.Ordinal) { [start] = null };
        var pending = new Queue<string>();
        pending.Enqueue(start);
        while (pending.Count > 0)
        {
            var current = pending.Dequeue();
            if (current == target)
            {
                var path = new List<string>();
                for (string? at = current; at is not null; at = previous[at])
                {
                    path.Add(at);
                }

                path.Reverse();
                return path;
            }

            if (!scope.MeshProducts.TryGetValue(current, out var spec))
            {
                continue;
            }

            foreach (var next in spec.Inputs.Select(i => i.Product).OfType<string>().Where(p => !previous.ContainsKey(p)))
            {
                previous[next] = current;
                pending.Enqueue(next);
            }
        }

        return null;
    }
}
