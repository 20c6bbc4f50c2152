using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Kvm.Qmp.Tests")]
