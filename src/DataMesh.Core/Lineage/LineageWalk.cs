using System.Text.Json;

namespace DataMesh.Lineage;

/// <summary>
/// One walk over a transform's parse tree (DuckDB's <c>json_serialize_sql</c> form). Every relation in scope carries,
/// per column, the input columns it is made of; an expression's sources are the union of its column references',
/// turned from <c>IDENTITY</c> into <c>TRANSFORMATION</c> (or <c>AGGREGATION</c>) by whatever wraps them. A column
/// reference counts as a read wherever it appears; clauses that shape the whole output (WHERE, JOIN ON, GROUP BY,
/// HAVING, QUALIFY, ORDER BY) are also recorded as indirect lineage of the dataset.
/// </summary>
internal sealed class LineageWalk(IReadOnlyList<LineageInput> inputs, HashSet<string> aggregates)
{
    private static readonly Src[] None = [];

    private readonly HashSet<(string Input, string Column)> _reads = [];

    // Where each input column is first read (DuckDB's query_location, a UTF-8 byte offset in the SELECT): a reference
    // spelling the column's own name wins over one through an alias (a CTE's or subquery's column computed from it).
    private readonly Dictionary<(string Input, string Column), (bool Named, ulong Offset)> _at = [];
    private readonly HashSet<Src> _dataset = [];
    private readonly List<string> _notes = [];

    /// <summary>The lineage of the statement <paramref name="node"/>; <paramref name="names"/> are DuckDB's output names when known.</summary>
    /// <param name="node">The statement's parse tree.</param>
    /// <param name="names">DuckDB's output names, when known.</param>
    /// <param name="select">The SELECT text the tree was parsed from, to turn offsets into line:column.</param>
    /// <param name="leading">Characters of the file before <paramref name="select"/> (whitespace trimmed off it).</param>
    /// <param name="file">The whole file text the SELECT was taken from.</param>
    public ColumnLineage Run(JsonElement node, List<string>? names, string? select = null, int leading = 0, string? file = null)
    {
        var columns = Node(node, parent: null);
        List<ColumnLineageOutput> outputs;
        if (columns is not null && (names is null || names.Count == columns.Count))
        {
            outputs = [.. columns.Select((c, i) => new ColumnLineageOutput(names?[i] ?? c.Name, Sorted(c.Sources)))];
        }
        else
        {
            var all = AllInputColumns(inputs.Select(i => i.Name));
            if (columns is not null)
            {
                Note($"the SELECT's {columns.Count} column(s) could not be matched with the {names!.Count} DuckDB binds");
            }

            outputs = [.. (names ?? []).Select(n => new ColumnLineageOutput(n, Sorted(all)))];
        }

        foreach (var source in outputs.SelectMany(o => o.Sources))
        {
            _reads.Add((source.Input, source.Column));
        }

        var reads = new List<ColumnLineageInput>();
        foreach (var input in inputs)
        {
            var read = _reads.Where(r => string.Equals(r.Input, input.Name, StringComparison.OrdinalIgnoreCase)).Select(r => r.Column).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            if (read.Count > 0)
            {
                var at = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (var column in read)
                {
                    if (select is not null && file is not null && _at.TryGetValue((input.Name.ToUpperInvariant(), column.ToUpperInvariant()), out var where)
                        && LineColumn(select, leading, file, where.Offset) is { } position)
                    {
                        at[column] = position;
                    }
                }

                reads.Add(new ColumnLineageInput(input.Name, [.. read.OrderBy(c => Ordinal(input.Name, c)).ThenBy(c => c, StringComparer.Ordinal)], input.Product)
                {
                    At = at.Count > 0 ? at : null,
                });
            }
        }

        return new ColumnLineage { Outputs = outputs, Reads = reads, Dataset = Sorted(_dataset), Notes = [.. _notes.Distinct(StringComparer.Ordinal)] };
    }

    /// <summary>"line:column" (1-based) in <paramref name="file"/> of a UTF-8 byte offset in <paramref name="select"/>, or null when it is not in it.</summary>
    private static string? LineColumn(string select, int leading, string file, ulong offset)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(select);
        if (offset >= (ulong)bytes.Length)
        {
            return null;
        }

        var index = leading + System.Text.Encoding.UTF8.GetCharCount(bytes, 0, (int)offset);
        if (index > file.Length)
        {
            return null;
        }

        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < index; i++)
        {
            if (file[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return $"{line}:{index - lineStart + 1}";
    }

    // ---- query nodes -------------------------------------------------------------------------------------------

    /// <summary>The output columns of a query node, or null when they cannot be listed (a <c>*</c> over an unknown relation).</summary>
    private List<Col>? Node(JsonElement node, Scope? parent)
    {
        var scope = new Scope(parent);
        DefineCtes(node, scope);
        var type = Text(node, "type");
        switch (type)
        {
            case "SELECT_NODE":
                return SelectNode(node, scope);
            case "SET_OPERATION_NODE":
                return SetOperation(node, scope);
            default:
                Note($"a {type} query is not analysed: its columns are taken to come from every column of the inputs it names");
                return null;
        }
    }

    private void DefineCtes(JsonElement node, Scope scope)
    {
        if (!node.TryGetProperty("cte_map", out var map) || !map.TryGetProperty("map", out var entries))
        {
            return;
        }

        foreach (var entry in entries.EnumerateArray())
        {
            var name = Text(entry, "key") ?? "";
            var value = entry.GetProperty("value");
            var columns = Node(value.GetProperty("query").GetProperty("node"), scope);
            scope.Ctes[name] = new CteColumns(Rename(columns, value, "aliases", name), columns is null ? UnknownSources(value, scope) : null);
        }
    }

    private List<Col>? SelectNode(JsonElement node, Scope scope)
    {
        if (node.TryGetProperty("from_table", out var from))
        {
            From(from, scope);
        }

        var outputs = new List<Col>();
        var complete = true;
        if (node.TryGetProperty("select_list", out var list))
        {
            foreach (var item in list.EnumerateArray())
            {
                if (Text(item, "class") == "STAR" && !(item.TryGetProperty("columns", out var c) && c.ValueKind == JsonValueKind.True) && !(item.TryGetProperty("expr", out var e) && e.ValueKind == JsonValueKind.Object))
                {
                    var expanded = Star(item, scope);
                    if (expanded is null)
                    {
                        complete = false;
                        continue;
                    }

                    // A column read through '*' is read where the '*' is (unless the SQL also names it: that wins).
                    Located(item, expanded.SelectMany(c => c.Sources), spelt: null);
                    outputs.AddRange(expanded);
                    continue;
                }

                var sources = Expression(item, scope);
                var name = Text(item, "alias") ?? DefaultName(item, outputs.Count);
                outputs.Add(new Col(name, sources));
                scope.Aliases.TryAdd(name, sources);
            }
        }

        scope.Outputs = outputs;
        Clause(node, "where_clause", scope, "FILTER");
        if (node.TryGetProperty("group_expressions", out var groups))
        {
            foreach (var group in groups.EnumerateArray())
            {
                Shape(ExpressionOrPosition(group, scope), "GROUP_BY");
            }
        }

        Clause(node, "having", scope, "FILTER");
        Clause(node, "qualify", scope, "FILTER");
        Modifiers(node, scope);
        return complete ? outputs : null;
    }

    private List<Col>? SetOperation(JsonElement node, Scope scope)
    {
        var branches = new List<JsonElement>();
        if (node.TryGetProperty("children", out var children) && children.ValueKind == JsonValueKind.Array)
        {
            branches.AddRange(children.EnumerateArray());
        }
        else
        {
            branches.Add(node.GetProperty("left"));
            branches.Add(node.GetProperty("right"));
        }

        var kind = Text(node, "setop_type") ?? "UNION";
        var results = branches.Select(b => Node(b, scope)).ToList();
        if (results.Any(r => r is null))
        {
            return null;
        }

        var first = results[0]!;
        List<Col> outputs;
        if (kind == "UNION_BY_NAME")
        {
            var names = results.SelectMany(r => r!.Select(c => c.Name)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            outputs = [.. names.Select(n => new Col(n, [.. results.SelectMany(r => r!.Where(c => string.Equals(c.Name, n, StringComparison.OrdinalIgnoreCase)).SelectMany(c => c.Sources))]))];
        }
        else if (kind == "UNION")
        {
            outputs = [.. first.Select((c, i) => new Col(c.Name, [.. results.SelectMany(r => i < r!.Count ? (IEnumerable<Src>)r[i].Sources : None)]))];
        }
        else
        {
            // EXCEPT / INTERSECT: the values are the left branch's; the others only decide which rows stay.
            outputs = [.. first.Select(c => new Col(c.Name, c.Sources))];
            foreach (var other in results.Skip(1))
            {
                Shape([.. other!.SelectMany(c => c.Sources)], "FILTER");
            }
        }

        scope.Outputs = outputs;
        foreach (var output in outputs)
        {
            scope.Aliases.TryAdd(output.Name, output.Sources);
        }

        Modifiers(node, scope);
        return outputs;
    }

    private void Modifiers(JsonElement node, Scope scope)
    {
        if (!node.TryGetProperty("modifiers", out var modifiers))
        {
            return;
        }

        foreach (var modifier in modifiers.EnumerateArray())
        {
            switch (Text(modifier, "type"))
            {
                case "ORDER_MODIFIER":
                    foreach (var order in Orders(modifier))
                    {
                        Shape(ExpressionOrPosition(order, scope), "SORT");
                    }

                    break;
                case "DISTINCT_MODIFIER" when modifier.TryGetProperty("distinct_on_targets", out var targets):
                    foreach (var target in targets.EnumerateArray())
                    {
                        Shape(ExpressionOrPosition(target, scope), "FILTER");
                    }

                    break;
                default:
                    foreach (var expression in Expressions(modifier))
                    {
                        Shape(Expression(expression, scope), "FILTER");
                    }

                    break;
            }
        }
    }

    private void Clause(JsonElement node, string property, Scope scope, string subtype)
    {
        if (node.TryGetProperty(property, out var clause) && clause.ValueKind == JsonValueKind.Object)
        {
            Shape(Expression(clause, scope), subtype);
        }
    }

    /// <summary>
    /// Sources of a clause that shapes rows: read, and indirect lineage of the whole output — at any depth, since a
    /// CTE's filter or join decides which rows reach the output as much as the outer query's does (wider, never narrower).
    /// </summary>
    private void Shape(IEnumerable<Src> sources, string subtype)
    {
        foreach (var source in sources)
        {
            _reads.Add((source.Input, source.Column));
            _dataset.Add(source with { Type = ColumnLineageSource.Indirect, Subtype = subtype });
        }
    }

    // ---- FROM ----------------------------------------------------------------------------------------------------

    private void From(JsonElement table, Scope scope)
    {
        switch (Text(table, "type"))
        {
            case "EMPTY":
                return;
            case "BASE_TABLE":
                scope.Relations.Add(BaseTable(table, scope));
                return;
            case "SUBQUERY":
                var alias = Text(table, "alias") ?? "";
                var columns = Node(table.GetProperty("subquery").GetProperty("node"), scope);
                scope.Relations.Add(new Rel(alias, Rename(columns, table, "column_name_alias", alias), columns is null ? UnknownSources(table, scope) : null));
                return;
            case "JOIN":
                From(table.GetProperty("left"), scope);
                var leftCount = scope.Relations.Count;
                From(table.GetProperty("right"), scope);
                if (table.TryGetProperty("condition", out var condition) && condition.ValueKind == JsonValueKind.Object)
                {
                    Shape(Expression(condition, scope), "JOIN");
                }

                var using_ = table.TryGetProperty("using_columns", out var u) ? u.EnumerateArray().Select(c => c.GetString() ?? "").ToList() : [];
                if (Text(table, "ref_type") == "NATURAL")
                {
                    using_ = [.. scope.Relations.Take(leftCount).SelectMany(r => r.Columns ?? []).Select(c => c.Name)
                        .Intersect(scope.Relations.Skip(leftCount).SelectMany(r => r.Columns ?? []).Select(c => c.Name), StringComparer.OrdinalIgnoreCase)];
                }

                foreach (var name in using_)
                {
                    // The key is read on both sides; SELECT * shows it once (the left side's).
                    var sides = scope.Relations.Select((r, i) => (r, i)).Where(x => x.r.Find(name) is not null).ToList();
                    Shape([.. sides.SelectMany(x => x.r.Find(name)!.Sources)], "JOIN");
                    foreach (var (relation, index) in sides.Where(x => x.i >= leftCount))
                    {
                        relation.HiddenFromStar.Add(name);
                    }
                }

                return;
            default:
                var type = Text(table, "type");
                Note($"a {type} in FROM is not analysed: its columns are taken to come from every column of the inputs it names");
                scope.Relations.Add(new Rel(Text(table, "alias") ?? type ?? "", null, UnknownSources(table, scope)));
                return;
        }
    }

    private Rel BaseTable(JsonElement table, Scope scope)
    {
        var name = Text(table, "table_name") ?? "";
        var alias = Text(table, "alias") ?? name;
        if (Text(table, "schema_name") is null or "" && scope.Cte(name) is { } cte)
        {
            return new Rel(alias, Rename(cte.Columns, table, "column_name_alias", alias), cte.Unknown);
        }

        var input = inputs.FirstOrDefault(i => string.Equals(i.Name, name, StringComparison.OrdinalIgnoreCase));
        if (input is null)
        {
            Note($"table '{name}' is not an input: its columns are taken to come from every column of every input");
            return new Rel(alias, null, AllInputColumns(inputs.Select(i => i.Name)));
        }

        if (input.Columns is null)
        {
            return new Rel(alias, null, null) { Input = input.Name };
        }

        return new Rel(alias, [.. input.Columns.Select(c => new Col(c.Name, [new Src(input.Name, c.Name, ColumnLineageSource.Direct, "IDENTITY")]))], null) { Input = input.Name };
    }

    private List<Col>? Rename(List<Col>? columns, JsonElement holder, string property, string relation)
    {
        if (columns is null || !holder.TryGetProperty(property, out var aliases) || aliases.ValueKind != JsonValueKind.Array)
        {
            return columns;
        }

        var names = aliases.EnumerateArray().Select(a => a.GetString() ?? "").ToList();
        if (names.Count > columns.Count)
        {
            Note($"'{relation}' names {names.Count} columns but has {columns.Count}");
        }

        return [.. columns.Select((c, i) => i < names.Count ? new Col(names[i], c.Sources) : c)];
    }

    private HashSet<Src> UnknownSources(JsonElement construct, Scope scope) => AllInputColumns(TablesNamedIn(construct, scope));

    // ---- expressions ---------------------------------------------------------------------------------------------

    private List<Col>? Star(JsonElement star, Scope scope)
    {
        var relationName = Text(star, "relation_name");
        var relations = string.IsNullOrEmpty(relationName)
            ? scope.Relations
            : scope.Relations.Where(r => string.Equals(r.Alias, relationName, StringComparison.OrdinalIgnoreCase)).ToList();
        var exclude = star.TryGetProperty("exclude_list", out var ex) ? ex.EnumerateArray().Select(LastName).ToHashSet(StringComparer.OrdinalIgnoreCase) : [];
        var replace = new Dictionary<string, HashSet<Src>>(StringComparer.OrdinalIgnoreCase);
        if (star.TryGetProperty("replace_list", out var replacements))
        {
            foreach (var replacement in replacements.EnumerateArray())
            {
                replace[Text(replacement, "key") ?? ""] = Expression(replacement.GetProperty("value"), scope);
            }
        }

        var columns = new List<Col>();
        foreach (var relation in relations)
        {
            if (relation.Columns is null)
            {
                Note($"'{(string.IsNullOrEmpty(relationName) ? "*" : relationName + ".*")}' over '{relation.Alias}', whose columns are not known, is not expanded");
                return null;
            }

            foreach (var column in relation.Columns)
            {
                if (exclude.Contains(column.Name) || (string.IsNullOrEmpty(relationName) && relation.HiddenFromStar.Contains(column.Name)))
                {
                    continue;
                }

                columns.Add(replace.TryGetValue(column.Name, out var replaced) ? new Col(column.Name, replaced) : column);
            }
        }

        return columns;
    }

    /// <summary>
    /// Records <paramref name="node"/>'s position (its <c>query_location</c>) as where <paramref name="sources"/> are read:
    /// the first reference spelling a column's own name (<paramref name="spelt"/>) wins over one through an alias or a
    /// <c>*</c>, then the earliest. A node without a position records nothing.
    /// </summary>
    private void Located(JsonElement node, IEnumerable<Src> sources, string? spelt)
    {
        if (!node.TryGetProperty("query_location", out var location) || location.ValueKind != JsonValueKind.Number || !location.TryGetUInt64(out var found))
        {
            return;
        }

        foreach (var source in sources)
        {
            var named = string.Equals(spelt, source.Column, StringComparison.OrdinalIgnoreCase);
            var key = (source.Input.ToUpperInvariant(), source.Column.ToUpperInvariant());
            if (!_at.TryGetValue(key, out var known) || (named && !known.Named) || (named == known.Named && found < known.Offset))
            {
                _at[key] = (named, found);
            }
        }
    }

    private static string LastName(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString() ?? "",
        JsonValueKind.Array => element.EnumerateArray().Select(LastName).LastOrDefault(n => n.Length > 0) ?? "",
        JsonValueKind.Object => element.EnumerateObject().Select(p => LastName(p.Value)).LastOrDefault(n => n.Length > 0) ?? "",
        _ => "",
    };

    /// <summary>GROUP BY and ORDER BY may name a SELECT column by position (<c>ORDER BY 1</c>).</summary>
    private HashSet<Src> ExpressionOrPosition(JsonElement expression, Scope scope)
    {
        if (Text(expression, "class") == "CONSTANT" && expression.TryGetProperty("value", out var constant)
            && constant.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var position)
            && scope.Outputs is { } outputs && position >= 1 && position <= outputs.Count)
        {
            return outputs[position - 1].Sources;
        }

        return Expression(expression, scope);
    }

    private HashSet<Src> Expression(JsonElement e, Scope scope)
    {
        switch (Text(e, "class"))
        {
            case "COLUMN_REF":
                var resolved = Column(e, scope);
                foreach (var source in resolved)
                {
                    _reads.Add((source.Input, source.Column));
                }

                Located(e, resolved, e.GetProperty("column_names").EnumerateArray().LastOrDefault().GetString());
                return resolved;
            case "CONSTANT" or "PARAMETER" or "DEFAULT":
                return [];
            case "FUNCTION":
            {
                var name = Text(e, "function_name") ?? "";
                var result = Union(Children(e, "children").Select(c => Expression(c, scope)));
                result = aggregates.Contains(name) ? Aggregate(result) : Transformed(result);
                if (e.TryGetProperty("filter", out var filter) && filter.ValueKind == JsonValueKind.Object)
                {
                    result.UnionWith(Indirect(Expression(filter, scope), "FILTER"));
                }

                foreach (var order in Orders(e.TryGetProperty("order_bys", out var o) ? o : default))
                {
                    result.UnionWith(Indirect(Expression(order, scope), "SORT"));
                }

                return result;
            }

            case "WINDOW":
            {
                var values = Union(Children(e, "children").Select(c => Expression(c, scope))
                    .Concat(new[] { "start_expr", "end_expr", "offset_expr", "default_expr" }.SelectMany(p => Children(e, p)).Select(c => Expression(c, scope))));
                var result = Text(e, "type") == "WINDOW_AGGREGATE" ? Aggregate(values) : Transformed(values);
                foreach (var partition in Children(e, "partitions"))
                {
                    result.UnionWith(Indirect(Expression(partition, scope), "WINDOW"));
                }

                foreach (var order in Orders(e))
                {
                    result.UnionWith(Indirect(Expression(order, scope), "WINDOW"));
                }

                foreach (var filter in Children(e, "filter_expr"))
                {
                    result.UnionWith(Indirect(Expression(filter, scope), "FILTER"));
                }

                return result;
            }

            case "CASE":
            {
                var result = new HashSet<Src>();
                foreach (var check in Children(e, "case_checks"))
                {
                    result.UnionWith(Indirect(Expression(check.GetProperty("when_expr"), scope), "CONDITIONAL"));
                    result.UnionWith(Transformed(Expression(check.GetProperty("then_expr"), scope)));
                }

                foreach (var otherwise in Children(e, "else_expr"))
                {
                    result.UnionWith(Transformed(Expression(otherwise, scope)));
                }

                return result;
            }

            case "CAST" or "COLLATE" or "OPERATOR" or "COMPARISON" or "CONJUNCTION" or "BETWEEN":
                return Transformed(Union(new[] { "child", "children", "left", "right", "input", "lower", "upper" }.SelectMany(p => Children(e, p)).Select(c => Expression(c, scope))));
            case "SUBQUERY":
            {
                var columns = Node(e.GetProperty("subquery").GetProperty("node"), scope) ?? [new Col("*", UnknownSources(e, scope))];
                var inner = Union(columns.Select(c => c.Sources));
                var child = Union(Children(e, "child").Select(c => Expression(c, scope)));
                return Text(e, "subquery_type") == "SCALAR"
                    ? Transformed(inner)
                    : [.. Transformed(child), .. Indirect(inner, "CONDITIONAL")];
            }

            default:
                Note($"a {Text(e, "class")} expression is not analysed: it is taken to come from every column of the inputs in scope");
                return Transformed(AllInScope(scope));
        }
    }

    private HashSet<Src> Column(JsonElement e, Scope scope)
    {
        var parts = e.GetProperty("column_names").EnumerateArray().Select(p => p.GetString() ?? "").ToList();
        var name = parts[^1];
        for (var s = scope; s is not null; s = s.Parent)
        {
            if (parts.Count >= 2)
            {
                var qualifier = parts[^2];
                if (s.Relations.FirstOrDefault(r => string.Equals(r.Alias, qualifier, StringComparison.OrdinalIgnoreCase)) is { } relation)
                {
                    return Lookup(relation, name) ?? Unresolved(string.Join('.', parts), scope);
                }

                continue;
            }

            foreach (var relation in s.Relations.Where(r => r.Columns is not null))
            {
                if (relation.Find(name) is { } column)
                {
                    return [.. column.Sources];
                }
            }

            if (s.Aliases.TryGetValue(name, out var aliased))
            {
                return [.. aliased];
            }

            // A relation whose columns are not known may hold it: one such input is where it comes from.
            var unknown = s.Relations.Where(r => r.Columns is null).ToList();
            if (unknown.Count == 1)
            {
                return Lookup(unknown[0], name)!;
            }

            if (unknown.Count > 1)
            {
                return Unresolved(name, scope);
            }
        }

        // A struct field (s.field) or a name no relation holds: DuckDB would have refused the latter at validate.
        if (parts.Count >= 2 && Column(Shorter(e, parts), scope) is { Count: > 0 } whole)
        {
            return Transformed(whole);
        }

        return Unresolved(string.Join('.', parts), scope);
    }

    private static JsonElement Shorter(JsonElement e, List<string> parts) =>
        JsonDocument.Parse(JsonSerializer.Serialize(new { @class = "COLUMN_REF", column_names = parts.Take(parts.Count - 1) })).RootElement;

    private static HashSet<Src>? Lookup(Rel relation, string name)
    {
        if (relation.Columns is null)
        {
            return relation.Input is { } input ? [new Src(input, name, ColumnLineageSource.Direct, "IDENTITY")] : Transformed(relation.Unknown ?? []);
        }

        return relation.Find(name) is { } column ? [.. column.Sources] : null;
    }

    private HashSet<Src> Unresolved(string name, Scope scope)
    {
        Note($"column '{name}' could not be resolved: it is taken to come from every column of the inputs in scope");
        return Transformed(AllInScope(scope));
    }

    private HashSet<Src> AllInScope(Scope scope)
    {
        var result = new HashSet<Src>();
        for (var s = scope; s is not null; s = s.Parent)
        {
            foreach (var relation in s.Relations)
            {
                result.UnionWith(relation.Columns?.SelectMany(c => c.Sources) ?? relation.Unknown ?? (relation.Input is { } i ? AllInputColumns([i]) : []));
            }
        }

        return result.Count > 0 ? result : AllInputColumns(inputs.Select(i => i.Name));
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private static HashSet<Src> Transformed(IEnumerable<Src> sources) =>
        [.. sources.Select(s => s is { Type: ColumnLineageSource.Direct, Subtype: "IDENTITY" } ? s with { Subtype = "TRANSFORMATION" } : s)];

    private static HashSet<Src> Aggregate(IEnumerable<Src> sources) =>
        [.. sources.Select(s => s.Type == ColumnLineageSource.Direct ? s with { Subtype = "AGGREGATION" } : s)];

    private static HashSet<Src> Indirect(IEnumerable<Src> sources, string subtype) =>
        [.. sources.Select(s => s with { Type = ColumnLineageSource.Indirect, Subtype = subtype })];

    private static HashSet<Src> Union(IEnumerable<HashSet<Src>> sets)
    {
        var result = new HashSet<Src>();
        foreach (var set in sets)
        {
            result.UnionWith(set);
        }

        return result;
    }

    private static IEnumerable<JsonElement> Children(JsonElement e, string property) =>
        !e.TryGetProperty(property, out var value) ? [] :
        value.ValueKind == JsonValueKind.Array ? value.EnumerateArray() :
        value.ValueKind == JsonValueKind.Object ? [value] : [];

    private static IEnumerable<JsonElement> Orders(JsonElement holder) =>
        holder.ValueKind == JsonValueKind.Object && holder.TryGetProperty("orders", out var orders)
            ? orders.EnumerateArray().Select(o => o.GetProperty("expression"))
            : [];

    /// <summary>The expressions a modifier other than ORDER BY holds (LIMIT, OFFSET...): every object with an expression class.</summary>
    private static IEnumerable<JsonElement> Expressions(JsonElement modifier) =>
        modifier.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Object && p.Value.TryGetProperty("class", out _)).Select(p => p.Value);

    private static string DefaultName(JsonElement item, int index) =>
        Text(item, "class") == "COLUMN_REF" ? item.GetProperty("column_names").EnumerateArray().Last().GetString() ?? "" : $"#{index + 1}";

    /// <summary>A string property, null when absent or empty (the serializer writes <c>"alias": ""</c> for no alias).</summary>
    private static string? Text(JsonElement e, string property) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;

    private void Note(string note) => _notes.Add(note);

    /// <summary>The inputs a construct names anywhere inside it (its base tables, through CTEs), for widening.</summary>
    private List<string> TablesNamedIn(JsonElement construct, Scope scope)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        Collect(construct);
        var named = inputs.Where(i => names.Contains(i.Name)).Select(i => i.Name).ToList();
        var viaCtes = names.Select(scope.Cte).OfType<CteColumns>().SelectMany(c => (c.Columns?.SelectMany(x => x.Sources) ?? c.Unknown ?? []).Select(s => s.Input));
        var all = named.Concat(viaCtes).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        return all.Count > 0 ? all : [.. inputs.Select(i => i.Name)];

        void Collect(JsonElement e)
        {
            if (e.ValueKind == JsonValueKind.Object)
            {
                if (Text(e, "type") == "BASE_TABLE" && Text(e, "table_name") is { } table)
                {
                    names.Add(table);
                }

                foreach (var property in e.EnumerateObject())
                {
                    Collect(property.Value);
                }
            }
            else if (e.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in e.EnumerateArray())
                {
                    Collect(item);
                }
            }
        }
    }

    private HashSet<Src> AllInputColumns(IEnumerable<string> names)
    {
        var wanted = names.ToHashSet(StringComparer.OrdinalIgnoreCase);
        return [.. inputs.Where(i => wanted.Contains(i.Name) && i.Columns is not null)
            .SelectMany(i => i.Columns!.Select(c => new Src(i.Name, c.Name, ColumnLineageSource.Direct, "TRANSFORMATION")))];
    }

    private int Ordinal(string input, string column)
    {
        var index = inputs.ToList().FindIndex(i => string.Equals(i.Name, input, StringComparison.OrdinalIgnoreCase));
        var columns = index < 0 ? null : inputs[index].Columns;
        var position = columns?.ToList().FindIndex(c => string.Equals(c.Name, column, StringComparison.OrdinalIgnoreCase)) ?? -1;
        return ((index < 0 ? inputs.Count : index) * 10_000) + (position < 0 ? 9_999 : position);
    }

    private List<ColumnLineageSource> Sorted(IEnumerable<Src> sources) =>
        [.. sources.Distinct()
            .OrderBy(s => Ordinal(s.Input, s.Column)).ThenBy(s => s.Column, StringComparer.Ordinal)
            .ThenBy(s => s.Type == ColumnLineageSource.Direct ? 0 : 1).ThenBy(s => s.Subtype, StringComparer.Ordinal)
            .Select(s => new ColumnLineageSource(CanonicalInput(s.Input), CanonicalColumn(s.Input, s.Column), s.Type, s.Subtype, inputs.FirstOrDefault(i => string.Equals(i.Name, s.Input, StringComparison.OrdinalIgnoreCase))?.Product))];

    private string CanonicalInput(string name) => inputs.FirstOrDefault(i => string.Equals(i.Name, name, StringComparison.OrdinalIgnoreCase))?.Name ?? name;

    private string CanonicalColumn(string input, string column) =>
        inputs.FirstOrDefault(i => string.Equals(i.Name, input, StringComparison.OrdinalIgnoreCase))?.Columns?.FirstOrDefault(c => string.Equals(c.Name, column, StringComparison.OrdinalIgnoreCase)).Name ?? column;

    /// <summary>An input column with how a value depends on it (the working form of <see cref="ColumnLineageSource"/>).</summary>
    private sealed record Src(string Input, string Column, string Type, string Subtype);

    private sealed record Col(string Name, HashSet<Src> Sources);

    private sealed record CteColumns(List<Col>? Columns, HashSet<Src>? Unknown);

    /// <summary>A relation in FROM: its columns, or (not known) the sources any of its columns is taken to have.</summary>
    private sealed record Rel(string Alias, List<Col>? Columns, HashSet<Src>? Unknown)
    {
        /// <summary>The input it is, when it is one (a column of an input with unknown columns is still that input's).</summary>
        public string? Input { get; init; }

        public HashSet<string> HiddenFromStar { get; } = new(StringComparer.OrdinalIgnoreCase);

        public Col? Find(string name) => Columns?.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));
    }

    private sealed class Scope(Scope? parent)
    {
        public Scope? Parent { get; } = parent;

        public List<Rel> Relations { get; } = [];

        public Dictionary<string, CteColumns> Ctes { get; } = new(StringComparer.OrdinalIgnoreCase);

        /// <summary>SELECT aliases, which DuckDB lets WHERE, GROUP BY, HAVING, QUALIFY, ORDER BY and later SELECT items use.</summary>
        public Dictionary<string, HashSet<Src>> Aliases { get; } = new(StringComparer.OrdinalIgnoreCase);

        public List<Col>? Outputs { get; set; }

        public CteColumns? Cte(string name)
        {
            for (var s = this; s is not null; s = s.Parent)
            {
                if (s.Ctes.TryGetValue(name, out var cte))
                {
                    return cte;
                }
            }

            return null;
        }
    }
}
