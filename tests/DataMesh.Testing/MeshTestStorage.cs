using DataMesh.Local;
using DataMesh.Storage;

namespace DataMesh.Testing;

/// <summary>
/// One test's storage on the run's Azurite, shaped as the local mesh shapes its own (<see cref="LocalStorage"/>, DESIGN §7),
/// in a namespace of its own: the hub account (catalog tables, queues, outbox) and each domain's own account with its own
/// key. <see cref="Storage"/> is the mesh operator's view (every key: what a test arranges and checks with);
/// <see cref="Pipeline"/> is a domain's pipeline's view, which reaches another domain's data only through a read grant.
/// When <c>DATAMESH_STORAGE</c> supplied the run's storage, both are that one account (the user's explicit choice).
/// </summary>
public sealed class MeshTestStorage
{
    private readonly LocalStorage _local;

    internal MeshTestStorage(LocalStorage local)
    {
        _local = local;
    }

    /// <summary>The operator's view: the hub account and every domain's account with its own key.</summary>
    public MeshStorage Storage => _local.Storage;

    /// <summary>True when each domain is in its own account; false only on a run given <c>DATAMESH_STORAGE</c>.</summary>
    public bool AccountPerDomain => _local.AccountPerDomain;

    /// <summary>
    /// Storage as <paramref name="domain"/>'s pipeline holds it: its own account's key, a read-only grant on the
    /// <c>products</c> of each domain in <paramref name="grantedUpstreams"/>, and no credential for any other domain.
    /// </summary>
    public MeshStorage Pipeline(string domain, params string[] grantedUpstreams) => _local.ForDomain(domain, grantedUpstreams);
}
