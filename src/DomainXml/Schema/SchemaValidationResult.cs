namespace Kvm.DomainXml.Schema;

/// <summary>
/// libxml2's verdict on a document checked against libvirt's RelaxNG schema. <see cref="Errors"/> holds libxml2's own
/// messages in the order it reported them, each as <c>file:line[:column]: message</c> (<c>(input)</c> when no file
/// name was given); it is empty for a valid document.
/// </summary>
public sealed record SchemaValidationResult(bool IsValid, IReadOnlyList<string> Errors);
