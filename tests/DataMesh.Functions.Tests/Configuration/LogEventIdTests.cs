using System.Reflection;
using DataMesh.Functions.Pipeline;
using DataMesh.Local;
using DataMesh.Pipeline;
using Microsoft.Extensions.Logging;

namespace DataMesh.Functions.Tests.Configuration;

/// <summary>
/// Every log message of the platform has an event id of its own across the core library and both hosts: an operator
/// filters or alerts on an id (e.g. warning 4121) and must get that message only.
/// </summary>
public sealed class LogEventIdTests
{
    [Fact]
    public void LoggerMessages_CoreLocalAndFunctions_EachEventIdNamesOneMessage()
    {
        // Arrange
        Assembly[] assemblies = [typeof(PipelineRuntime).Assembly, typeof(LocalMesh).Assembly, typeof(PipelineActivityFunctions).Assembly];

        // Act
        var messages = assemblies
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => (Method: $"{m.DeclaringType!.FullName}.{m.Name}", Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(m => m.Attribute is not null)
            .ToList();
        var shared = messages.GroupBy(m => m.Attribute!.EventId).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Method))}")
            .ToList();

        // Assert: the control (the messages are found), then no id used twice.
        Assert.True(messages.Count > 50, $"only {messages.Count} logger messages found");
        Assert.Empty(shared);
    }
}
