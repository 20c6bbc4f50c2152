using System.Text;
using Kvm.DomainXml.Errors;

namespace Kvm.DomainXml.Schema;

/// <summary>
/// Checks domain XML against libvirt's RelaxNG schema (<c>domain.rng</c>) with libxml2's own RelaxNG engine, as
/// <c>virsh define --validate</c> does. The schema is parsed once, in <see cref="Open"/>, and reused by every
/// <see cref="Validate"/>.
/// </summary>
/// <remarks>
/// Thread safety: <see cref="Validate"/> and <see cref="Dispose"/> may be called from any thread. Validations are
/// serialised by one lock per instance: libxml2 does not promise that a parsed RelaxNG schema may be used by two
/// validations at once. Open one validator per schema and share it.
/// Instance documents are parsed with <c>XML_PARSE_NONET</c> and without <c>XML_PARSE_NOENT</c>/<c>XML_PARSE_DTDLOAD</c>:
/// libxml2 neither fetches anything over the network nor loads external DTDs or entities for them.
/// </remarks>
public sealed class RelaxNgSchemaValidator : IDisposable
{
    /// <summary>Where Debian's libvirt0 package installs libvirt's schemas.</summary>
    public const string SystemSchemaDirectory = "/usr/share/libvirt/schemas";

    public const string SchemaFileName = "domain.rng";

    // The instance document: no network, no entity substitution, no external DTD; errors only through our hook.
    private const int DocumentParseOptions =
        LibXml2.ParseNoNet | LibXml2.ParseNoError | LibXml2.ParseNoWarning | LibXml2.ParseBigLines;

    private readonly Lock _gate = new();
    private readonly LibXml2.RelaxNgSchemaHandle _schema;

    private RelaxNgSchemaValidator(LibXml2.RelaxNgSchemaHandle schema, string schemaPath)
    {
        _schema = schema;
        SchemaPath = schemaPath;
    }

    /// <summary>The <c>domain.rng</c> this validator was built from.</summary>
    public string SchemaPath { get; }

    /// <summary>
    /// Loads and parses <c>domain.rng</c> (and the files it includes) from <paramref name="schemaDirectory"/>, or from
    /// <see cref="SystemSchemaDirectory"/> when it is null.
    /// </summary>
    /// <exception cref="DomainXmlException">
    /// <see cref="DomainXmlErrorKind.OperationFailed"/>: the schema is missing or does not parse, or libxml2 cannot be loaded.
    /// </exception>
    public static RelaxNgSchemaValidator Open(string? schemaDirectory) => Open(schemaDirectory, SchemaFileName);

    /// <summary>Another of libvirt's schemas in the same directory (<c>domainsnapshot.rng</c>, <c>storagepool.rng</c>, ...).</summary>
    public static RelaxNgSchemaValidator Open(string? schemaDirectory, string schemaFileName)
    {
        ArgumentException.ThrowIfNullOrEmpty(schemaFileName);
        string[] directories = schemaDirectory is null ? [SystemSchemaDirectory] : [schemaDirectory];
        string? path = directories
            .Select(d => Path.GetFullPath(Path.Combine(d, schemaFileName)))
            .FirstOrDefault(File.Exists);
        if (path is null)
        {
            throw new DomainXmlException(DomainXmlErrorKind.OperationFailed,
                $"cannot find libvirt's schema {schemaFileName}; looked in {string.Join(", ", directories)}: " +
                $"install Debian's libvirt0 package (it provides {SystemSchemaDirectory}) or pass the directory that holds it");
        }

        LibXml2.EnsureInitialized();
        using var errors = new LibXml2.ErrorCollector(path);
        using var parser = LibXml2.xmlRelaxNGNewParserCtxt(path);
        if (parser.IsInvalid)
        {
            throw new DomainXmlException(DomainXmlErrorKind.OperationFailed, $"libxml2 cannot create a RelaxNG parser for {path}");
        }

        errors.AttachTo(parser);
        LibXml2.RelaxNgSchemaHandle schema;
        using (errors.CaptureThreadErrors())
        {
            schema = LibXml2.xmlRelaxNGParse(parser);
        }

        if (schema.IsInvalid)
        {
            schema.Dispose();
            throw new DomainXmlException(DomainXmlErrorKind.OperationFailed,
                $"cannot parse the RelaxNG schema {path}: {string.Join("; ", errors.ToArray())}");
        }

        return new RelaxNgSchemaValidator(schema, path);
    }

    /// <summary>
    /// Validates <paramref name="xmlText"/> against the schema. A document that is not well-formed is reported as
    /// invalid with libxml2's parser errors. <paramref name="fileName"/> only names the document in the messages.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The validator was disposed.</exception>
    public SchemaValidationResult Validate(string xmlText, string? fileName)
    {
        ArgumentNullException.ThrowIfNull(xmlText);
        byte[] utf8 = Encoding.UTF8.GetBytes(xmlText);

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_schema.IsClosed, this);
            using var errors = new LibXml2.ErrorCollector(fileName);
            using var document = Parse(utf8, fileName, errors);
            if (document.IsInvalid)
            {
                if (errors.Count == 0)
                {
                    errors.Add($"{fileName ?? "(input)"}: {(utf8.Length == 0 ? "the document is empty" : "libxml2 could not parse the document")}");
                }

                return new SchemaValidationResult(false, errors.ToArray());
            }

            using var context = LibXml2.xmlRelaxNGNewValidCtxt(_schema);
            if (context.IsInvalid)
            {
                throw new DomainXmlException(DomainXmlErrorKind.InternalError, "libxml2 cannot create a RelaxNG validation context");
            }

            errors.AttachTo(context);
            int status = LibXml2.xmlRelaxNGValidateDoc(context, document);
            if (status < 0)
            {
                throw new DomainXmlException(DomainXmlErrorKind.InternalError,
                    $"libxml2 failed to run the RelaxNG validation of {fileName ?? "(input)"}");
            }

            // The context (which holds our error hook) is freed before the collector: declared later, disposed first.
            return new SchemaValidationResult(status == 0, errors.ToArray());
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _schema.Dispose();
        }
    }

    private static unsafe LibXml2.XmlDocHandle Parse(byte[] utf8, string? fileName, LibXml2.ErrorCollector errors)
    {
        using (errors.CaptureThreadErrors())
        {
            // SAFETY: the buffer is pinned for the duration of the call and its exact length is passed; libxml2
            // copies what it keeps into the returned document and holds no pointer into the buffer afterwards.
            fixed (byte* buffer = utf8)
            {
                return LibXml2.xmlReadMemory(buffer, utf8.Length, fileName, "UTF-8", DocumentParseOptions);
            }
        }
    }
}
