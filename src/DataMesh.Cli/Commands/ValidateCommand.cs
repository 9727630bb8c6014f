using System.CommandLine;
using DataMesh.Specs;

namespace DataMesh.Cli.Commands;

/// <summary><c>datamesh validate [PATH...]</c>: check product specs and their contracts.</summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("PATH") { Description = "Product folders or trees to validate (default: pipelines/).", Arity = ArgumentArity.ZeroOrMore };
        var json = CommonOptions.Json();
        var command = new Command("validate", "Validate product specs and contracts; diagnostics as file:line:col: error DM1234: message.") { paths, json };
        command.SetAction(parse =>
        {
            var roots = parse.GetValue(paths) is { Length: > 0 } given ? given : ["pipelines"];
            var products = new List<string>();
            foreach (var root in roots)
            {
                if (File.Exists(Path.Combine(root, "product.yaml")))
                {
                    products.Add(root);
                }
                else if (Directory.Exists(root))
                {
                    products.AddRange(ProductSpecLoader.FindProductDirectories(root));
                }
                else
                {
                    Console.Error.WriteLine($"error: '{root}' is neither a product folder nor a folder of products.");
                    return ExitCodes.UsageOrEnvironment;
                }
            }

            var diagnostics = products.SelectMany(ProductSpecLoader.Validate).ToList();
            var errors = diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error);
            if (parse.GetValue(json))
            {
                CliJson.Write(new { products = products.Count, errors, diagnostics = diagnostics.Select(d => new { d.File, d.Line, d.Column, d.Code, severity = d.Severity.ToString().ToLowerInvariant(), d.Message }) });
            }
            else
            {
                Diagnostics.Print(diagnostics);
                Console.Error.WriteLine($"{products.Count} product(s) checked, {errors} error(s).");
            }

            return errors == 0 ? ExitCodes.Success : ExitCodes.CheckFailed;
        });
        return command;
    }
}
