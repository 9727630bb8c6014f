using System.Net;
using System.Net.Sockets;

namespace DataMesh.Testing;

/// <summary>Ports on the loopback interface for servers a test starts (<c>datamesh up</c>, an HTTP receiver).</summary>
public static class LoopbackPort
{
    /// <summary>A port free right now on 127.0.0.1, as the operating system hands one out.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
