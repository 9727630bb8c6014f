namespace DataMesh.Specs;

/// <summary>Did-you-mean suggestions for names typed by hand (product ids, spec keys, policy ids).</summary>
internal static class Spelling
{
    /// <summary>The candidate closest to <paramref name="typed"/> when it is close enough to be a typo, else null.</summary>
    public static string? Closest(string typed, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var distance = EditDistance(typed, candidate);
            if (distance < bestDistance || (distance == bestDistance && string.CompareOrdinal(candidate, best) < 0))
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        return best is not null && bestDistance <= Math.Max(2, typed.Length / 3) ? best : null;
    }

    /// <summary>" (did you mean 'X'?)" when <paramref name="typed"/> is a typo of a candidate, else empty: appended to a message.</summary>
    public static string Suggest(string typed, IEnumerable<string> candidates) =>
        Closest(typed, candidates) is { } closest ? $" (did you mean '{closest}'?)" : "";

    /// <summary>Levenshtein distance: insertions, deletions and substitutions.</summary>
    public static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var current = new int[b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
