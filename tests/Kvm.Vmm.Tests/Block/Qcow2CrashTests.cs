using System.Diagnostics;
using NUnit.Framework;

namespace Kvm.Vmm.Tests.Block;

/// <summary>
/// kill -9 of a process writing through our qcow2 code, at seeded random moments while it is changing metadata:
/// qemu-img check must find leaked clusters at most (exit 3), never corruption (exit 2).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class Qcow2CrashTests
{
    private const int Kills = 200;
    private const int KillsPerImage = 20;

    private string _dir = "";

    [SetUp]
    public void SetUp()
    {
        QemuTools.Require();
        _dir = QemuTools.ScratchDirectory("crash");
    }

    [TearDown]
    public void TearDown() => QemuTools.DeleteScratch(_dir);

    [Test]
    [CancelAfter(300_000)]
    public void Write_KilledAtRandomMoments_QemuImgCheckFindsLeaksAtMost()
    {
        string writer = WriterPath();
        Assert.That(File.Exists(writer), Is.True, $"{writer} is not built");
        var random = new Random(2026);
        int leakyChecks = 0;
        long operations = 0;
        int activeRounds = 0;
        string image = "";
        var stopwatch = Stopwatch.StartNew();
        for (int kill = 0; kill < Kills; kill++)
        {
            if (kill % KillsPerImage == 0)
            {
                image = NewImage(kill / KillsPerImage);
            }

            var info = new ProcessStartInfo(writer) { RedirectStandardOutput = true, RedirectStandardError = true };
            info.ArgumentList.Add(image);
            info.ArgumentList.Add(kill.ToString(System.Globalization.CultureInfo.InvariantCulture));
            using var process = Process.Start(info)!;
            var stderr = process.StandardError.ReadToEndAsync();
            string? first = process.StandardOutput.ReadLine();
            if (first != "ready")
            {
                process.Kill();
                Assert.Fail($"round {kill}: the writer did not start: {stderr.Result}");
            }

            var output = process.StandardOutput.ReadToEndAsync();
            Thread.Sleep(random.Next(20, 220));
            bool exited = process.HasExited;
            process.Kill(); // SIGKILL
            process.WaitForExit();
            Assert.That(exited, Is.False, () => $"round {kill}: the writer stopped by itself: {stderr.Result}");
            int progress = output.Result.Split('\n').Count(l => l.StartsWith("ops ", StringComparison.Ordinal));
            operations += progress * 16L;
            activeRounds += progress > 0 ? 1 : 0;

            var check = QemuTools.Img("check", "-f", "qcow2", image);
            Assert.That(check.ExitCode, Is.EqualTo(0).Or.EqualTo(3), $"round {kill}: qemu-img check after the kill:\n{check.Stdout}{check.Stderr}");
            leakyChecks += check.ExitCode == 3 ? 1 : 0;
        }

        TestContext.Out.WriteLine($"{Kills} kills in {stopwatch.Elapsed.TotalSeconds:F0} s, {operations}+ requests, {activeRounds} kills after 16+ requests, {leakyChecks} checks with leaks");
        Assert.That(activeRounds, Is.GreaterThan(Kills / 2), "most writers were killed before they got going: the kills did not interrupt metadata updates");
    }

    /// <summary>
    /// Even images: standalone, 512-byte clusters over a 1 GiB disk (every scattered write makes an L2 table; the
    /// refcount table moves every few MiB). Odd images: a 4 KiB-cluster overlay over a qcow2 base with data, so
    /// single-sector writes copy the rest of the cluster from the base.
    /// </summary>
    private string NewImage(int index)
    {
        string image = Path.Combine(_dir, $"image{index}.qcow2");
        if (index % 2 == 0)
        {
            QemuTools.ImgOk("create", "-f", "qcow2", "-o", "cluster_size=512", image, "1G");
            return image;
        }

        string baseImage = Path.Combine(_dir, $"base{index}.qcow2");
        QemuTools.ImgOk("create", "-f", "qcow2", "-o", "cluster_size=65536", baseImage, "64M");
        QemuTools.IoOk("qcow2", baseImage, "write -P 0x5c 0 8M", "write -P 0xc5 32M 8M");
        QemuTools.ImgOk("create", "-f", "qcow2", "-o", "cluster_size=4096", "-b", baseImage, "-F", "qcow2", image, "64M");
        return image;
    }

    private static string WriterPath()
    {
        string configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Name;
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Kvm.sln")))
        {
            dir = dir.Parent;
        }

        Assert.That(dir, Is.Not.Null, "Kvm.sln not found above the test binaries");
        return Path.Combine(dir!.FullName, "artifacts", "bin", "Kvm.Vmm.BlockStress", configuration, "kvm-block-stress");
    }
}
