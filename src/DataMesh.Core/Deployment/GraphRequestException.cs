namespace DataMesh.Deployment;

/// <summary>Microsoft Graph refused a call (<see cref="Status"/> 401, 403, 400...) or no token could be had (<see cref="Status"/> 0).</summary>
public sealed class GraphRequestException : Exception
{
    /// <summary>A refusal of <paramref name="method"/> <paramref name="url"/>.</summary>
    public GraphRequestException(int status, string code, string reason, string method, string url, Exception? inner = null)
        : base(status == 0 ? reason : $"{method} {url} answered {status} {code}: {reason}", inner)
    {
        Status = status;
        Code = code;
        Reason = reason;
    }

    /// <summary>The HTTP status, or 0 when the credential gave no token (not signed in, azd missing).</summary>
    public int Status { get; }

    /// <summary>Graph's error code (e.g. <c>Authorization_RequestDenied</c>).</summary>
    public string Code { get; }

    /// <summary>Graph's error message.</summary>
    public string Reason { get; }

    /// <summary>The caller lacks a right (403), rather than anything else going wrong.</summary>
    public bool IsForbidden => Status == 403;

    /// <summary>No token: the hook runs outside an azd sign-in.</summary>
    public bool IsSignIn => Status == 0;
}
