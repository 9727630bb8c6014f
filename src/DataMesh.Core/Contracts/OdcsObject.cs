namespace DataMesh.Contracts;

/// <summary>The kinds of ODCS v3 objects whose keys <see cref="OdcsKeys"/> lists (one per object definition of the official schema).</summary>
internal enum OdcsObject
{
    Root,
    Description,
    Server,
    SchemaObject,
    SchemaProperty,
    SchemaItemProperty,
    Quality,
    Relationship,
    Team,
    TeamMember,
    Role,
    SupportItem,
    Pricing,
    SlaProperty,
    CustomProperty,
    AuthoritativeDefinition,
}
