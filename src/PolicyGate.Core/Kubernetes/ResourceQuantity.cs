using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;
using System.Text.Json.Serialization;

namespace PolicyGate.Core.Kubernetes;

/// <summary>
/// A Kubernetes resource quantity (<c>500m</c>, <c>1.5Gi</c>, <c>1e3</c>...), parsed and compared exactly as
/// <c>k8s.io/apimachinery/pkg/api/resource.ParseQuantity</c> and <c>Quantity.Cmp</c> do, with exact arithmetic
/// (<see cref="BigInteger"/>, never floating point).
/// </summary>
/// <remarks>
/// <para>
/// Parsing follows the Kubernetes scanner rather than its documented grammar, quirks included, so that a policy
/// sees the value the API server will store:
/// </para>
/// <list type="bullet">
/// <item>a value finer than one nano-unit is rounded away from zero to the next nano-unit (<c>0.1n</c> is
/// <c>1n</c>, <c>-0.1n</c> is <c>-1n</c>);</item>
/// <item>a binary SI value is capped at 2^63-1 in magnitude (<c>8Ei</c> is 9223372036854775807); decimal values
/// are not capped;</item>
/// <item>an <c>e</c>/<c>E</c> exponent is read as a 64-bit integer and then truncated to 32 bits
/// (<c>1e4294967297</c> is 10);</item>
/// <item>a number without any digit is zero when the Kubernetes fast path handles it (<c>.</c>, <c>-</c>,
/// <c>Gi</c>, <c>k</c>, <c>e3</c>) and invalid otherwise (<c>Pi</c>, <c>Ei</c>, <c>e-10</c>).</item>
/// </list>
/// <para>
/// Inputs on which Kubernetes itself never returns (a non-zero value with a 32-bit-edge exponent, such as
/// <c>1e-2147483647</c>) get the value the rules above give; none of the operations here materialises a huge
/// power of ten, so no input can make them hang. Text longer than <see cref="MaxLength"/> is refused (Kubernetes
/// reads it), and what is read is parsed and rounded in time close to linear in its length.
/// </para>
/// <para>
/// Equality, ordering and hashing are by value only: <c>1Gi</c> equals <c>1073741824</c>, <c>500m</c> equals
/// <c>0.5</c>. <see cref="Original"/> and <see cref="ToString"/> keep the text the quantity was read from, so
/// that serialising it back never changes its spelling.
/// </para>
/// </remarks>
[JsonConverter(typeof(ResourceQuantityJsonConverter))]
public sealed class ResourceQuantity : IEquatable<ResourceQuantity>, IComparable<ResourceQuantity>
{
    /// <summary>The regular expression Kubernetes' parse error quotes.</summary>
    private const string Grammar = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$";

    private const string SuffixCharacters = "eEinumkKMGTP";

    /// <summary>
    /// The longest quantity text read. Kubernetes has no limit, but no quantity that long is meant, and exact
    /// arithmetic on a million digits takes seconds of the host's time on every request that carries it.
    /// </summary>
    public const int MaxLength = 10_000;

    /// <summary>Most decimal digits the Kubernetes fast path parses into an int64.</summary>
    private const int MaxInt64Factors = 18;

    /// <summary>Exponent of the finest unit a quantity keeps (1n).</summary>
    private const int NanoExponent = -9;

    private const string Examples = "for example 500m, 0.5, 1.5Gi, 128974848, 129e6 or 123Mi";

    private static readonly BigInteger MaxBinaryMagnitude = long.MaxValue;
    private static readonly BigInteger BigTen = 10;
    private static readonly BigInteger Big1024 = 1024;
    private static readonly string[] BinarySuffixes = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];

    /// <summary>Signed digits of the value without trailing zeros (zero for zero).</summary>
    private readonly BigInteger _mantissa;

    /// <summary>Power of ten <see cref="_mantissa"/> is scaled by (zero for zero).</summary>
    private readonly long _exponent;

    /// <summary>Decimal digits in <see cref="_mantissa"/> (zero for zero).</summary>
    private readonly int _digits;

    private ResourceQuantity(string original, BigInteger mantissa, long exponent, QuantityFormat format)
    {
        Original = original;
        Format = format;
        if (mantissa.IsZero)
        {
            return;
        }

        while (true)
        {
            var quotient = BigInteger.DivRem(mantissa, BigTen, out var remainder);
            if (!remainder.IsZero)
            {
                break;
            }

            mantissa = quotient;
            exponent++;
        }

        _mantissa = mantissa;
        _exponent = exponent;
        _digits = CountDigits(mantissa);
    }

    /// <summary>The text the quantity was parsed from, unchanged.</summary>
    public string Original { get; }

    /// <summary>The suffix family the quantity was written with, as Kubernetes records it.</summary>
    public QuantityFormat Format { get; }

    /// <summary>-1, 0 or 1 as the value is negative, zero or positive.</summary>
    public int Sign => _mantissa.Sign;

    /// <summary>Whether the value is zero.</summary>
    public bool IsZero => _mantissa.IsZero;

    /// <summary>
    /// Parses a quantity exactly as Kubernetes' <c>ParseQuantity</c> does (no surrounding white space allowed).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="s"/> is null.</exception>
    /// <exception cref="FormatException"><paramref name="s"/> is not a quantity; the message names it.</exception>
    public static ResourceQuantity Parse(string s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return TryParseCore(s, s, out var result, out var error) ? result : throw new FormatException(error);
    }

    /// <summary>Parses a quantity like <see cref="Parse"/>, returning <see langword="false"/> instead of throwing.</summary>
    public static bool TryParse([NotNullWhen(true)] string? s, [NotNullWhen(true)] out ResourceQuantity? result)
    {
        if (s is null)
        {
            result = null;
            return false;
        }

        return TryParseCore(s, s, out result, out _);
    }

    /// <summary>
    /// Parses the text of a JSON string or number the way Kubernetes' <c>UnmarshalJSON</c> does: surrounding
    /// white space is ignored, while <see cref="Original"/> keeps <paramref name="text"/> as it was.
    /// </summary>
    internal static bool TryParseJson(
        string text, [NotNullWhen(true)] out ResourceQuantity? result, [NotNullWhen(false)] out string? error) =>
        TryParseCore(text.Trim(), text, out result, out error);

    /// <summary>Compares two quantities by value; <see langword="null"/> sorts first.</summary>
    public static int Compare(ResourceQuantity? left, ResourceQuantity? right)
    {
        if (ReferenceEquals(left, right))
        {
            return 0;
        }

        if (left is null)
        {
            return -1;
        }

        return right is null ? 1 : left.CompareTo(right);
    }

    /// <summary>Compares by value: <c>500m</c> &lt; <c>1</c>, <c>0.5Gi</c> == <c>512Mi</c>.</summary>
    public int CompareTo(ResourceQuantity? other)
    {
        if (other is null)
        {
            return 1;
        }

        if (Sign != other.Sign)
        {
            return Sign.CompareTo(other.Sign);
        }

        if (IsZero)
        {
            return 0;
        }

        // Same sign, both non-zero: the position of the leading digit decides unless it is the same.
        var magnitude = _digits + _exponent;
        var otherMagnitude = other._digits + other._exponent;
        if (magnitude != otherMagnitude)
        {
            return magnitude > otherMagnitude ? Sign : -Sign;
        }

        // Equal leading positions: the exponents differ by at most the digit count, so aligning is cheap.
        return _exponent >= other._exponent
            ? BigInteger.Compare(_mantissa * BigInteger.Pow(BigTen, (int)(_exponent - other._exponent)), other._mantissa)
            : BigInteger.Compare(_mantissa, other._mantissa * BigInteger.Pow(BigTen, (int)(other._exponent - _exponent)));
    }

    /// <summary>Whether both quantities have the same value, whatever their spelling.</summary>
    public bool Equals(ResourceQuantity? other) =>
        other is not null && _exponent == other._exponent && _mantissa == other._mantissa;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ResourceQuantity);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_mantissa, _exponent);

    /// <summary>The value rounded away from zero to a whole number, saturated to the <see cref="long"/> range.</summary>
    /// <remarks>
    /// Kubernetes' <c>Value()</c> rounds the same way but leaves an out-of-range result undefined; here it
    /// saturates to <see cref="long.MaxValue"/> or <see cref="long.MinValue"/>. Compare quantities with
    /// <see cref="CompareTo"/> when the value may be that large.
    /// </remarks>
    public long Value() => ScaledInt64(0);

    /// <summary>
    /// The value in thousandths, rounded away from zero, saturated to the <see cref="long"/> range like
    /// <see cref="Value"/> (Kubernetes' <c>MilliValue()</c>).
    /// </summary>
    public long MilliValue() => ScaledInt64(3);

    /// <summary>
    /// The canonical spelling Kubernetes serialises this value as (<c>Quantity.String()</c> of a freshly computed
    /// value): <c>1.5</c> gives <c>1500m</c>, <c>1536Mi</c> stays <c>1536Mi</c>, <c>1024Mi</c> gives <c>1Gi</c>,
    /// <c>1E3</c> gives <c>1e3</c>.
    /// </summary>
    /// <remarks>
    /// The rules: zero is <c>0</c>. A binary SI value of magnitude at least 1024 that is a whole number is written
    /// as a whole number times the largest power of 1024 that divides it (<c>Ki</c>...<c>Ei</c>). Any other value
    /// is written as a whole number times a power of ten that is a multiple of three, the largest one that keeps
    /// the number whole, with the decimal SI suffix of that power (<c>n</c>...<c>E</c>) or, for the exponent
    /// format or beyond <c>E</c>, <c>e</c> and the power (<c>1e21</c>). Kubernetes' own <c>String()</c> can also
    /// echo an input it judged canonical verbatim (<c>+1</c>, <c>01</c>, <c>1E3</c>, <c>5.</c>), and computes
    /// exponents in 32 bits; this method never does either.
    /// </remarks>
    public string ToCanonicalString()
    {
        if (IsZero)
        {
            return "0";
        }

        if (Format == QuantityFormat.BinarySI && _exponent >= 0 && _digits + _exponent >= 4)
        {
            var whole = _mantissa * BigInteger.Pow(BigTen, (int)_exponent);
            if (BigInteger.Abs(whole) >= Big1024)
            {
                var power = 0;
                while (power < BinarySuffixes.Length - 1)
                {
                    var quotient = BigInteger.DivRem(whole, Big1024, out var remainder);
                    if (!remainder.IsZero)
                    {
                        break;
                    }

                    whole = quotient;
                    power++;
                }

                return whole.ToString(CultureInfo.InvariantCulture) + BinarySuffixes[power];
            }
        }

        // Lower the exponent to a multiple of three; the value is at least 1n, so it stays at or above -9.
        var shift = (int)(((_exponent % 3) + 3) % 3);
        var exponent = _exponent - shift;
        var digits = (_mantissa * BigInteger.Pow(BigTen, shift)).ToString(CultureInfo.InvariantCulture);
        if (Format == QuantityFormat.DecimalExponent)
        {
            return exponent == 0 ? digits : digits + "e" + exponent.ToString(CultureInfo.InvariantCulture);
        }

        var suffix = exponent switch
        {
            -9 => "n",
            -6 => "u",
            -3 => "m",
            0 => string.Empty,
            3 => "k",
            6 => "M",
            9 => "G",
            12 => "T",
            15 => "P",
            18 => "E",
            _ => "e" + exponent.ToString(CultureInfo.InvariantCulture),
        };
        return digits + suffix;
    }

    /// <summary>The text the quantity was parsed from (<see cref="Original"/>).</summary>
    public override string ToString() => Original;

    /// <summary>
    /// The exact value as <c>digits</c>, <c>e</c> and a power of ten, with no trailing zeros in the digits
    /// (<c>15e-1</c> for <c>1.5</c>, <c>0</c> for zero): the notation of Kubernetes' quantity decode corpus.
    /// </summary>
    internal string ToExactString() =>
        IsZero ? "0" : _mantissa.ToString(CultureInfo.InvariantCulture) + "e" + _exponent.ToString(CultureInfo.InvariantCulture);

    /// <summary>Value equality.</summary>
    public static bool operator ==(ResourceQuantity? left, ResourceQuantity? right) => Compare(left, right) == 0;

    /// <summary>Value inequality.</summary>
    public static bool operator !=(ResourceQuantity? left, ResourceQuantity? right) => Compare(left, right) != 0;

    /// <summary>Whether <paramref name="left"/> is smaller by value.</summary>
    public static bool operator <(ResourceQuantity? left, ResourceQuantity? right) => Compare(left, right) < 0;

    /// <summary>Whether <paramref name="left"/> is greater by value.</summary>
    public static bool operator >(ResourceQuantity? left, ResourceQuantity? right) => Compare(left, right) > 0;

    /// <summary>Whether <paramref name="left"/> is smaller by value or equal.</summary>
    public static bool operator <=(ResourceQuantity? left, ResourceQuantity? right) => Compare(left, right) <= 0;

    /// <summary>Whether <paramref name="left"/> is greater by value or equal.</summary>
    public static bool operator >=(ResourceQuantity? left, ResourceQuantity? right) => Compare(left, right) >= 0;

    /// <summary>
    /// Kubernetes' <c>ParseQuantity</c>: its scanner (<c>parseQuantityString</c>), its suffix table, and the
    /// value rules of its fast and slow paths, which only differ in which digit-less inputs they accept.
    /// </summary>
    private static bool TryParseCore(
        string text,
        string original,
        [NotNullWhen(true)] out ResourceQuantity? result,
        [NotNullWhen(false)] out string? error)
    {
        result = null;
        error = null;
        if (text.Length == 0)
        {
            error = FormatError(original);
            return false;
        }

        if (text.Length > MaxLength)
        {
            error = $"invalid quantity \"{original[..20]}...\" ({text.Length:N0} characters): PolicyGate reads quantities of at most {MaxLength:N0} characters";
            return false;
        }

        // Sign.
        var position = 0;
        var negative = false;
        if (text[0] is '-' or '+')
        {
            negative = text[0] == '-';
            position++;
        }

        // Leading zeros; a sign and zeros alone (or a sign alone) are zero.
        var signEnd = position;
        while (position < text.Length && text[position] == '0')
        {
            position++;
        }

        if (position == text.Length)
        {
            result = new ResourceQuantity(original, BigInteger.Zero, 0, QuantityFormat.DecimalSI);
            return true;
        }

        // Whole part, then an optional fraction; either may be empty.
        var wholeStart = position;
        while (position < text.Length && char.IsAsciiDigit(text[position]))
        {
            position++;
        }

        var whole = text.AsSpan(wholeStart, position - wholeStart);
        var fraction = ReadOnlySpan<char>.Empty;
        if (position < text.Length && text[position] == '.')
        {
            position++;
            var fractionStart = position;
            while (position < text.Length && char.IsAsciiDigit(text[position]))
            {
                position++;
            }

            fraction = text.AsSpan(fractionStart, position - fractionStart);
        }

        var hasDigits = wholeStart > signEnd || !whole.IsEmpty || !fraction.IsEmpty;

        // Suffix: letters from the suffix alphabet, then an optionally signed integer, then the end.
        var suffixStart = position;
        while (position < text.Length && SuffixCharacters.Contains(text[position], StringComparison.Ordinal))
        {
            position++;
        }

        if (position < text.Length && text[position] is '+' or '-')
        {
            position++;
        }

        while (position < text.Length && char.IsAsciiDigit(text[position]))
        {
            position++;
        }

        if (position < text.Length)
        {
            error = FormatError(original);
            return false;
        }

        var suffix = text.AsSpan(suffixStart);
        if (!TryInterpretSuffix(suffix, out var binary, out var suffixExponent, out var format))
        {
            error = SuffixError(original, suffix.ToString());
            return false;
        }

        // Kubernetes takes the fast path (int64 arithmetic) when this holds, and otherwise the slow path
        // (inf.Dec), whose decimal parse needs at least one digit.
        var wholeLength = Math.Max(whole.Length, 1);
        var fastPath = binary
            ? fraction.IsEmpty && 15 - wholeLength - (suffixExponent * 3 / 10) - 1 >= 0
            : MaxInt64Factors - (wholeLength + fraction.Length) >= 0
                && unchecked(suffixExponent - fraction.Length) >= NanoExponent;
        if (!hasDigits && !fastPath)
        {
            error = NumericError(original);
            return false;
        }

        // The value is digits * 10^exponent (times 2^suffixExponent for a binary suffix). Kubernetes moves a
        // decimal suffix into the scale in 32-bit arithmetic, wrapping, and so does this.
        var digits = string.Concat(whole, fraction);
        var exponent = binary
            ? -(long)fraction.Length
            : -(long)unchecked(fraction.Length + unchecked(-suffixExponent));

        var significant = digits.AsSpan().TrimEnd('0');
        exponent += digits.Length - significant.Length;
        significant = significant.TrimStart('0');
        if (significant.IsEmpty)
        {
            result = new ResourceQuantity(original, BigInteger.Zero, 0, format);
            return true;
        }

        // Round anything finer than 1n away from zero to the next nano-unit. A decimal value is rounded on its
        // digits, in linear time: the last significant digit is not zero, so anything dropped is a remainder.
        if (!binary && exponent < NanoExponent)
        {
            var drop = NanoExponent - exponent;
            significant = drop >= significant.Length ? "1" : IncrementDigits(significant[..^(int)drop]);
            exponent = NanoExponent;
            var rounded = significant.TrimEnd('0');
            exponent += significant.Length - rounded.Length;
            significant = rounded;
        }

        var magnitude = BigInteger.Parse(significant, NumberStyles.None, CultureInfo.InvariantCulture);
        if (binary)
        {
            // Binary values are capped at 2^63-1 and, below one, recorded as decimal. A whole part of more than 19
            // digits is over the cap however it rounds, so it is capped before any long division.
            magnitude <<= suffixExponent;
            if (CountDigits(magnitude) + exponent > 19)
            {
                magnitude = MaxBinaryMagnitude;
                exponent = 0;
            }
            else
            {
                if (exponent < NanoExponent)
                {
                    // A fraction finer than 1n (1.0000000001Ki): the quotient has at most 28 digits.
                    var drop = NanoExponent - exponent;
                    if (CountDigits(magnitude) <= drop)
                    {
                        magnitude = BigInteger.One;
                    }
                    else
                    {
                        magnitude = BigInteger.DivRem(magnitude, BigInteger.Pow(BigTen, (int)drop), out var remainder);
                        if (!remainder.IsZero)
                        {
                            magnitude += BigInteger.One;
                        }
                    }

                    exponent = NanoExponent;
                }

                var wholeDigits = CountDigits(magnitude) + exponent;
                if (wholeDigits > 19
                    || (wholeDigits == 19 && (exponent >= 0
                        ? magnitude * BigInteger.Pow(BigTen, (int)exponent) > MaxBinaryMagnitude
                        : magnitude > MaxBinaryMagnitude * BigInteger.Pow(BigTen, (int)-exponent))))
                {
                    magnitude = MaxBinaryMagnitude;
                    exponent = 0;
                }
                else if (exponent < 0 && magnitude < BigInteger.Pow(BigTen, (int)-exponent))
                {
                    format = QuantityFormat.DecimalSI;
                }
            }
        }

        result = new ResourceQuantity(original, negative ? -magnitude : magnitude, exponent, format);
        return true;
    }

    /// <summary>Kubernetes' suffix table: decimal SI, binary SI, or <c>e</c>/<c>E</c> and a 64-bit integer cut to 32 bits.</summary>
    private static bool TryInterpretSuffix(
        ReadOnlySpan<char> suffix, out bool binary, out int exponent, out QuantityFormat format)
    {
        binary = false;
        format = QuantityFormat.DecimalSI;
        (exponent, var known) = suffix switch
        {
            "" => (0, true),
            "n" => (-9, true),
            "u" => (-6, true),
            "m" => (-3, true),
            "k" => (3, true),
            "M" => (6, true),
            "G" => (9, true),
            "T" => (12, true),
            "P" => (15, true),
            "E" => (18, true),
            _ => (0, false),
        };
        if (known)
        {
            return true;
        }

        var binaryPower = Array.IndexOf(BinarySuffixes, suffix.ToString(), 1);
        if (binaryPower > 0)
        {
            binary = true;
            exponent = 10 * binaryPower;
            format = QuantityFormat.BinarySI;
            return true;
        }

        if (suffix.Length > 1
            && suffix[0] is 'e' or 'E'
            && long.TryParse(suffix[1..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
        {
            exponent = unchecked((int)parsed);
            format = QuantityFormat.DecimalExponent;
            return true;
        }

        return false;
    }

    /// <summary>
    /// <c>ceil(|value| * 10^scale)</c> with the value's sign, i.e. rounded away from zero, saturated to the
    /// <see cref="long"/> range.
    /// </summary>
    private long ScaledInt64(int scale)
    {
        if (IsZero)
        {
            return 0;
        }

        var exponent = _exponent + scale;
        if (_digits + exponent > 19)
        {
            // The whole part alone has more than 19 digits: beyond the long range, with or without a fraction.
            return Sign > 0 ? long.MaxValue : long.MinValue;
        }

        BigInteger magnitude;
        if (exponent >= 0)
        {
            magnitude = BigInteger.Abs(_mantissa) * BigInteger.Pow(BigTen, (int)exponent);
        }
        else if (_digits <= -exponent)
        {
            return Sign;
        }
        else
        {
            magnitude = BigInteger.DivRem(BigInteger.Abs(_mantissa), BigInteger.Pow(BigTen, (int)-exponent), out var remainder);
            if (!remainder.IsZero)
            {
                magnitude += BigInteger.One;
            }
        }

        var value = Sign > 0 ? magnitude : -magnitude;
        return value > long.MaxValue ? long.MaxValue : value < long.MinValue ? long.MinValue : (long)value;
    }

    /// <summary>
    /// Decimal digits of <paramref name="value"/>, without formatting it (formatting a BigInteger is quadratic in
    /// its length: a 300,000-digit quantity took 4 s): the base-10 logarithm, corrected by one comparison where it
    /// lands next to a power of ten.
    /// </summary>
    private static int CountDigits(BigInteger value)
    {
        if (value.IsZero)
        {
            return 0;
        }

        var magnitude = BigInteger.Abs(value);
        if (magnitude <= ulong.MaxValue)
        {
            return ((ulong)magnitude).ToString(CultureInfo.InvariantCulture).Length;
        }

        var log = BigInteger.Log10(magnitude);
        var estimate = (int)Math.Floor(log) + 1;
        var fraction = log - Math.Floor(log);
        if (fraction is > 1e-6 and < 1 - 1e-6)
        {
            return estimate; // far from a power of ten, beyond the logarithm's rounding error
        }

        var lowest = BigInteger.Pow(BigTen, estimate - 1); // the smallest number of `estimate` digits
        return magnitude < lowest ? estimate - 1 : magnitude >= lowest * BigTen ? estimate + 1 : estimate;
    }

    /// <summary>The decimal digits plus one: <c>129</c> gives <c>130</c>, <c>99</c> gives <c>100</c>.</summary>
    private static string IncrementDigits(ReadOnlySpan<char> digits)
    {
        var result = new char[digits.Length + 1];
        digits.CopyTo(result.AsSpan(1));
        result[0] = '0';
        var i = result.Length - 1;
        while (result[i] == '9')
        {
            result[i--] = '0';
        }

        result[i]++;
        return new string(result, result[0] == '0' ? 1 : 0, result[0] == '0' ? digits.Length : digits.Length + 1);
    }

    private static string FormatError(string original) =>
        $"invalid quantity \"{original}\": quantities must match the regular expression '{Grammar}' ({Examples})";

    private static string SuffixError(string original, string suffix) =>
        $"invalid quantity \"{original}\": unable to parse quantity's suffix \"{suffix}\"; quantities must match the "
        + $"regular expression '{Grammar}' with a suffix of n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or "
        + $"e<exponent> ({Examples})";

    private static string NumericError(string original) =>
        $"invalid quantity \"{original}\": unable to parse numeric part of quantity; quantities must match the "
        + $"regular expression '{Grammar}' and have a digit ({Examples})";
}
