using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace PolicyGate.Cli.Suites;

/// <summary>
/// <c>--junit FILE</c>: JUnit XML as CI systems read it. One <c>testsuite</c> per suite file, one <c>testcase</c> per
/// case; a failed case has a <c>failure</c> (its first mismatch as the message, every mismatch with its diff as the
/// text), a case that could not run an <c>error</c>. A broken suite has one <c>testcase</c> named <c>(suite)</c> with
/// an <c>error</c> listing its errors, so that CI shows it.
/// </summary>
internal static class JUnitWriter
{
    public const string BrokenSuiteCase = "(suite)";

    public static XDocument Build(TestReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var root = new XElement("testsuites",
            new XAttribute("name", "policygate test"),
            new XAttribute("tests", report.CaseCount + report.BrokenCount),
            new XAttribute("failures", report.Count(CaseStatus.Failed)),
            new XAttribute("errors", report.Count(CaseStatus.Error) + report.BrokenCount),
            new XAttribute("time", Seconds(report.Suites.SelectMany(s => s.Cases).Aggregate(TimeSpan.Zero, (t, c) => t + c.Elapsed))));
        foreach (var suite in report.Suites)
        {
            var element = new XElement("testsuite",
                new XAttribute("name", suite.File),
                new XAttribute("tests", suite.Cases.Count + (suite.Broken ? 1 : 0)),
                new XAttribute("failures", suite.Count(CaseStatus.Failed)),
                new XAttribute("errors", suite.Count(CaseStatus.Error) + (suite.Broken ? 1 : 0)),
                new XAttribute("skipped", 0),
                new XAttribute("time", Seconds(suite.Cases.Aggregate(TimeSpan.Zero, (t, c) => t + c.Elapsed))));
            if (suite.Broken)
            {
                element.Add(new XElement("testcase",
                    new XAttribute("name", BrokenSuiteCase),
                    new XAttribute("classname", suite.Name),
                    new XAttribute("time", Seconds(TimeSpan.Zero)),
                    new XElement("error",
                        new XAttribute("message", Xml(suite.Errors[0].ToString())),
                        new XAttribute("type", "BrokenSuite"),
                        Xml(string.Join("\n", suite.Errors)))));
            }

            foreach (var result in suite.Cases)
            {
                var testcase = new XElement("testcase",
                    new XAttribute("name", Xml(result.Name)),
                    new XAttribute("classname", suite.Name),
                    new XAttribute("time", Seconds(result.Elapsed)));
                if (result.Status == CaseStatus.Failed)
                {
                    var first = result.Mismatches[0];
                    testcase.Add(new XElement("failure",
                        new XAttribute("message", Xml($"{first.Field}: {first.Summary}")),
                        new XAttribute("type", "PolicyTestFailure"),
                        Xml(string.Join("\n", result.Mismatches))));
                }
                else if (result.Status == CaseStatus.Error)
                {
                    testcase.Add(new XElement("error",
                        new XAttribute("message", Xml(result.Error?.ToString() ?? "error")),
                        new XAttribute("type", "CaseError"),
                        Xml(result.Error?.ToString() ?? "")));
                }

                element.Add(testcase);
            }

            root.Add(element);
        }

        return new XDocument(new XDeclaration("1.0", "utf-8", null), root);
    }

    /// <summary>Text XML can hold: characters it cannot (control characters from a policy's message) become U+FFFD.</summary>
    private static string Xml(string text) =>
        text.All(XmlConvert.IsXmlChar) ? text : new string(text.Select(c => XmlConvert.IsXmlChar(c) || char.IsSurrogate(c) ? c : '\uFFFD').ToArray());

    private static string Seconds(TimeSpan elapsed) => elapsed.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);
}
