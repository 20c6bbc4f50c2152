// Every native call in this assembly goes through [LibraryImport] with blittable signatures (Schema/LibXml2.cs), so
// the runtime's built-in marshaller is switched off: a non-blittable P/Invoke added later fails to build or run
// instead of being marshalled silently.
[assembly: System.Runtime.CompilerServices.DisableRuntimeMarshalling]
