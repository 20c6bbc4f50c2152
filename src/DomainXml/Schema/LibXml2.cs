using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Kvm.DomainXml.Errors;
using Microsoft.Win32.SafeHandles;

namespace Kvm.DomainXml.Schema;

/// <summary>
/// The part of libxml2 (2.9 ABI, Debian 12's libxml2 package) that <c>virsh define --validate</c> uses: the document
/// parser, the RelaxNG engine and the structured error hooks. Every native object is owned by a <see cref="SafeHandle"/>.
/// Strings cross as UTF-8 through the source generator; nothing here needs the runtime marshaller.
/// </summary>
internal static unsafe partial class LibXml2
{
    public const string Library = "libxml2.so.2";

    // xmlParserOption, libxml/parser.h
    public const int ParseNoError = 1 << 5;     // XML_PARSE_NOERROR: no error reports through the SAX error callbacks
    public const int ParseNoWarning = 1 << 6;   // XML_PARSE_NOWARNING: no warning reports through the SAX callbacks
    public const int ParseNoNet = 1 << 11;      // XML_PARSE_NONET: forbid network access
    public const int ParseBigLines = 1 << 22;   // XML_PARSE_BIG_LINES: line numbers above 65535 stay right

    // xmlErrorLevel, libxml/xmlerror.h
    public const int ErrorLevelWarning = 1;     // XML_ERR_WARNING

    private static readonly Lock s_initGate = new();
    private static bool s_initialized;

    /// <summary>Loads libxml2 and runs <c>xmlInitParser</c> once, before any other call (libxml2's threading rule).</summary>
    public static void EnsureInitialized()
    {
        lock (s_initGate)
        {
            if (s_initialized)
            {
                return;
            }

            if (!NativeLibrary.TryLoad(Library, typeof(LibXml2).Assembly, null, out _))
            {
                throw new DomainXmlException(DomainXmlErrorKind.OperationFailed,
                    $"cannot load {Library} for schema validation: install Debian's libxml2 package");
            }

            xmlInitParser();
            s_initialized = true;
        }
    }

    [LibraryImport(Library)]
    private static partial void xmlInitParser();

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial RelaxNgParserContextHandle xmlRelaxNGNewParserCtxt(string url);

    [LibraryImport(Library)]
    private static partial void xmlRelaxNGSetParserStructuredErrors(
        RelaxNgParserContextHandle ctxt, delegate* unmanaged[Cdecl]<nint, XmlError*, void> serror, nint ctx);

    [LibraryImport(Library)]
    public static partial RelaxNgSchemaHandle xmlRelaxNGParse(RelaxNgParserContextHandle ctxt);

    [LibraryImport(Library)]
    private static partial void xmlRelaxNGFreeParserCtxt(nint ctxt);

    [LibraryImport(Library)]
    private static partial void xmlRelaxNGFree(nint schema);

    [LibraryImport(Library)]
    public static partial RelaxNgValidContextHandle xmlRelaxNGNewValidCtxt(RelaxNgSchemaHandle schema);

    [LibraryImport(Library)]
    private static partial void xmlRelaxNGSetValidStructuredErrors(
        RelaxNgValidContextHandle ctxt, delegate* unmanaged[Cdecl]<nint, XmlError*, void> serror, nint ctx);

    /// <summary>0 = valid, a positive number = invalid, negative = libxml2 API or memory failure.</summary>
    [LibraryImport(Library)]
    public static partial int xmlRelaxNGValidateDoc(RelaxNgValidContextHandle ctxt, XmlDocHandle doc);

    [LibraryImport(Library)]
    private static partial void xmlRelaxNGFreeValidCtxt(nint ctxt);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial XmlDocHandle xmlReadMemory(byte* buffer, int size, string? url, string? encoding, int options);

    [LibraryImport(Library)]
    private static partial void xmlFreeDoc(nint doc);

    /// <summary>The calling thread's error hook (libxml2 keeps it per thread when built with threads, as Debian's is).</summary>
    [LibraryImport(Library)]
    private static partial void xmlSetStructuredErrorFunc(nint ctx, delegate* unmanaged[Cdecl]<nint, XmlError*, void> handler);

    /// <summary><c>struct _xmlError</c> from libxml/xmlerror.h (88 bytes on LP64).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct XmlError
    {
        public int Domain;
        public int Code;
        public nint Message;
        public int Level;
        public nint File;
        public int Line;
        public nint Str1;
        public nint Str2;
        public nint Str3;
        public int Int1;
        public int Int2; // column, or 0
        public nint Context;
        public nint Node;
    }

    public sealed class RelaxNgParserContextHandle : SafeHandleZeroOrMinusOneIsInvalid
    {
        public RelaxNgParserContextHandle() : base(ownsHandle: true)
        {
        }

        protected override bool ReleaseHandle()
        {
            xmlRelaxNGFreeParserCtxt(handle);
            return true;
        }
    }

    public sealed class RelaxNgSchemaHandle : SafeHandleZeroOrMinusOneIsInvalid
    {
        public RelaxNgSchemaHandle() : base(ownsHandle: true)
        {
        }

        protected override bool ReleaseHandle()
        {
            xmlRelaxNGFree(handle);
            return true;
        }
    }

    public sealed class RelaxNgValidContextHandle : SafeHandleZeroOrMinusOneIsInvalid
    {
        public RelaxNgValidContextHandle() : base(ownsHandle: true)
        {
        }

        protected override bool ReleaseHandle()
        {
            xmlRelaxNGFreeValidCtxt(handle);
            return true;
        }
    }

    public sealed class XmlDocHandle : SafeHandleZeroOrMinusOneIsInvalid
    {
        public XmlDocHandle() : base(ownsHandle: true)
        {
        }

        protected override bool ReleaseHandle()
        {
            xmlFreeDoc(handle);
            return true;
        }
    }

    /// <summary>
    /// Collects libxml2's structured errors as <c>file:line[:column]: message</c>. A GCHandle to it is the
    /// user data handed to libxml2; it stays valid until <see cref="Dispose"/>, so dispose only after the native
    /// object it was registered on is freed (or the thread hook is cleared).
    /// </summary>
    public sealed class ErrorCollector : IDisposable
    {
        /// <summary>A hostile document must not make us keep an unbounded list.</summary>
        public const int MaxMessages = 100;

        private readonly List<string> _messages = [];
        private readonly string _defaultFile;
        private GCHandle<ErrorCollector> _self;
        private bool _truncated;

        /// <param name="defaultFile">Names the document in errors libxml2 raises without a node or file.</param>
        public ErrorCollector(string? defaultFile)
        {
            _defaultFile = defaultFile ?? "(input)";
            _self = new GCHandle<ErrorCollector>(this);
        }

        private nint Context => GCHandle<ErrorCollector>.ToIntPtr(_self);

        private static delegate* unmanaged[Cdecl]<nint, XmlError*, void> Callback => &OnStructuredError;

        public int Count => _messages.Count;

        public void Add(string message)
        {
            if (_messages.Count < MaxMessages)
            {
                _messages.Add(message);
            }
            else
            {
                _truncated = true;
            }
        }

        public string[] ToArray() =>
            _truncated ? [.. _messages, $"(more than {MaxMessages} errors; the rest are not shown)"] : [.. _messages];

        /// <summary>Routes the schema parser's errors here; the collector must outlive <paramref name="parser"/>'s use.</summary>
        public void AttachTo(RelaxNgParserContextHandle parser) => xmlRelaxNGSetParserStructuredErrors(parser, Callback, Context);

        /// <summary>Routes validity errors here; the collector must outlive <paramref name="validator"/>.</summary>
        public void AttachTo(RelaxNgValidContextHandle validator) => xmlRelaxNGSetValidStructuredErrors(validator, Callback, Context);

        /// <summary>Routes errors raised on this thread outside a RelaxNG context (document parser, schema loader) here.</summary>
        public ThreadErrorScope CaptureThreadErrors()
        {
            xmlSetStructuredErrorFunc(Context, Callback);
            return default;
        }

        public void Dispose() => _self.Dispose();

        [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
        private static void OnStructuredError(nint userData, XmlError* error)
        {
            if (userData == 0 || error == null)
            {
                return;
            }

            // SAFETY: userData is the Context we registered, a GCHandle that outlives every native object it is
            // registered on; libxml2 passes an xmlError (and its strings) valid for the duration of this call, and
            // everything is copied into managed strings before returning. Nothing here throws into native code.
            XmlError e = *error;
            ErrorCollector? self = GCHandle<ErrorCollector>.FromIntPtr(userData).Target;
            self?.Add(self.Format(in e));
        }

        private string Format(in XmlError e)
        {
            string message = (Marshal.PtrToStringUTF8(e.Message) ?? "unknown libxml2 error").TrimEnd();
            string file = Marshal.PtrToStringUTF8(e.File) ?? _defaultFile;
            string where = e.Line <= 0 ? file : e.Int2 > 0 ? $"{file}:{e.Line}:{e.Int2}" : $"{file}:{e.Line}";
            return e.Level == ErrorLevelWarning ? $"{where}: warning: {message}" : $"{where}: {message}";
        }
    }

    /// <summary>Clears the calling thread's libxml2 error hook when disposed.</summary>
    public readonly ref struct ThreadErrorScope
    {
        public void Dispose() => xmlSetStructuredErrorFunc(0, null);
    }
}
