using System.Text;
using PolicyGate.Core.IO;

namespace PolicyGate.Core.Tests.IO;

public sealed class InputFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policygate-inputfile-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void TryReadText_Utf8WithAndWithoutByteOrderMark_ReadsTheText()
    {
        var plain = Write("plain.yaml", Encoding.UTF8.GetBytes("name: café\n"));
        var bom = Write("bom.yaml", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("name: café\n")]);

        Assert.True(InputFile.TryReadText(plain, out var plainText, out _));
        Assert.True(InputFile.TryReadText(bom, out var bomText, out _));
        Assert.Equal("name: café\n", plainText);
        Assert.Equal("name: café\n", bomText);
    }

    [Theory]
    [InlineData("utf-16")]
    [InlineData("utf-16BE")]
    [InlineData("utf-32")]
    public void TryReadText_ByteOrderMarkOfAnotherEncoding_DecodesWithIt(string encodingName)
    {
        var encoding = Encoding.GetEncoding(encodingName);
        var path = Write("wide.yaml", [.. encoding.GetPreamble(), .. encoding.GetBytes("kind: Pod\n")]);

        Assert.True(InputFile.TryReadText(path, out var text, out var error), error);
        Assert.Equal("kind: Pod\n", text);
    }

    [Theory]
    [InlineData(false, 19)]
    [InlineData(true, 22)]
    public void TryReadText_InvalidUtf8_NamesTheLineAndByte(bool byteOrderMark, int offset)
    {
        byte[] text = [.. Encoding.ASCII.GetBytes("a: 1\nb: 2\nname: caf"), 0xE9, .. Encoding.ASCII.GetBytes("\n")];
        var path = Write("latin1.yaml", byteOrderMark ? [0xEF, 0xBB, 0xBF, .. text] : text);

        Assert.False(InputFile.TryReadText(path, out _, out var error));
        Assert.Equal($"line 3: not valid UTF-8 (byte 0xE9 at offset {offset}); save the file as UTF-8", error);
    }

    [Fact]
    public void TryReadText_MissingFile_SaysSo()
    {
        Assert.False(InputFile.TryReadText(Path.Combine(_dir, "nope.yaml"), out _, out var error));
        Assert.Equal("no such file", error);
    }

    [Fact]
    public void TryReadText_Folder_SaysItIsAFolder()
    {
        Assert.False(InputFile.TryReadText(_dir, out _, out var error));
        Assert.Equal("is a folder, not a file", error);
    }

    [Fact]
    public void TryReadBytes_FileOverTheLimit_RefusedWithoutReadingIt()
    {
        var path = Path.Combine(_dir, "huge.yaml");
        using (var stream = File.Create(path))
        {
            stream.SetLength(InputFile.MaxBytes + 1); // sparse: nothing is written
        }

        Assert.False(InputFile.TryReadBytes(path, out _, out var error));
        Assert.Contains("larger than the limit of 128 MiB", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryReadBytes_EndlessDevice_StopsAtTheLimit()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // /dev/zero is the endless input at hand; the same code path reads pipes
        }

        Assert.False(InputFile.TryReadBytes("/dev/zero", out _, out var error));
        Assert.Contains("larger than the limit of 128 MiB", error, StringComparison.Ordinal);
    }
}
