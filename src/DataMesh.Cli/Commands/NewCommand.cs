using System.CommandLine;
using DataMesh.Governance;
using DataMesh.Specs;

namespace DataMesh.Cli.Commands;

/// <summary><c>datamesh new DOMAIN/PRODUCT</c>: scaffold a product (spec, contract, SQL, sample data) that validates and runs.</summary>
internal static class NewCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("DOMAIN/PRODUCT") { Description = "The new product, e.g. finance/ledger-apac (kebab-case; domain.product works too)." };
        var root = new Option<string>("--root") { Description = "The pipelines folder to write into.", DefaultValueFactory = _ => "pipelines" };
        var team = new Option<string?>("--team") { Description = "The owning team (default: '<Domain> team')." };
        var email = new Option<string?>("--owner-email") { Description = "The owner email (default: <domain>-data@example.com)." };
        var visibility = new Option<string>("--visibility") { Description = "public, domain or restricted.", DefaultValueFactory = _ => "domain" };
        visibility.AcceptOnlyFromAmong("public", "domain", "restricted");
        var json = CommonOptions.Json();
        var command = new Command("new", "Scaffold a data product that `datamesh validate` accepts and `datamesh run` publishes.") { id, root, team, email, visibility, json };
        command.SetAction(parse =>
        {
            var parts = parse.GetValue(id)!.Split('/', '.');
            if (parts.Length != 2 || !ProductScaffold.IsValidName(parts[0]) || !ProductScaffold.IsValidName(parts[1]))
            {
                Console.Error.WriteLine($"error: '{parse.GetValue(id)}' is not DOMAIN/PRODUCT in kebab-case, e.g. finance/ledger-apac.");
                return ExitCodes.UsageOrEnvironment;
            }

            var options = new ProductScaffoldOptions { Team = parse.GetValue(team), OwnerEmail = parse.GetValue(email), Visibility = parse.GetValue(visibility)! };
            string directory;
            try
            {
                directory = ProductScaffold.Write(parse.GetValue(root)!, parts[0], parts[1], options);
            }
            catch (IOException ex)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return ExitCodes.UsageOrEnvironment;
            }

            var shown = Shown(directory);
            var sample = Path.Combine(shown, "samples", ProductScaffold.SampleFileName);
            if (parse.GetValue(json))
            {
                CliJson.Write(new { product = $"{parts[0]}.{parts[1]}", directory = shown, files = ProductScaffold.Files });
            }
            else
            {
                Console.WriteLine($"Created {parts[0]}.{parts[1]} in {shown}/: {string.Join(", ", ProductScaffold.Files)}");
                Console.WriteLine($"Next: datamesh validate {shown}");
                Console.WriteLine($"      datamesh run {shown} --input {sample}");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>A path as diagnostics show it: relative to the working directory when below it.</summary>
    private static string Shown(string fullPath)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, fullPath);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? fullPath : relative;
    }
}
