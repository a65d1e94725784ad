package io.sluice.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format (version 0.0.4), for tests that scrape
 * {@code /metrics}: every line must be a {@code # HELP}, a {@code # TYPE} or a sample; metric and
 * label names must be valid; label values are unescaped; a sample must belong to a family whose
 * {@code # TYPE} came first; no series may appear twice; a histogram's buckets must be cumulative
 * and end with {@code le="+Inf"} equal to its {@code _count}. Anything else throws.
 */
public final class PrometheusText {

  private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

  /** One sample: its full name (with suffix), its labels (sorted by name) and its value. */
  public record Sample(String name, Map<String, String> labels, double value) {}

  private static final java.net.http.HttpClient SCRAPER = java.net.http.HttpClient.newHttpClient();

  private final Map<String, String> types;
  private final List<Sample> samples;

  private PrometheusText(Map<String, String> types, List<Sample> samples) {
    this.types = types;
    this.samples = samples;
  }

  /**
   * Scrapes {@code GET /metrics} of the admin listener on 127.0.0.1:{@code port} over HTTP and
   * parses the answer, which must be a 200 in {@code text/plain}.
   */
  public static PrometheusText scrape(int port) throws java.io.IOException, InterruptedException {
    java.net.http.HttpResponse<String> response = SCRAPER.send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create("http://127.0.0.1:" + port + "/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    require(response.statusCode() == 200, "GET /metrics answered " + response.statusCode());
    require(response.headers().firstValue("content-type").orElse("").startsWith("text/plain"), "not text/plain");
    return parse(response.body());
  }

  /** Parses {@code text}, or throws {@link IllegalArgumentException} naming the line that is wrong. */
  public static PrometheusText parse(String text) {
    Map<String, String> types = new LinkedHashMap<>();
    List<Sample> samples = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    String[] lines = text.split("\n", -1);
    if (!text.endsWith("\n")) {
      throw new IllegalArgumentException("the exposition does not end with a line feed");
    }
    for (int i = 0; i < lines.length - 1; i++) {
      String line = lines[i];
      try {
        if (line.startsWith("# TYPE ")) {
          String[] parts = line.substring(7).split(" ");
          require(parts.length == 2 && METRIC_NAME.matcher(parts[0]).matches() && TYPES.contains(parts[1]), "bad TYPE line");
          require(types.put(parts[0], parts[1]) == null, "second TYPE for " + parts[0]);
        } else if (line.startsWith("# HELP ")) {
          String name = line.substring(7).split(" ", 2)[0];
          require(METRIC_NAME.matcher(name).matches(), "bad HELP line");
        } else if (line.startsWith("#")) {
          throw new IllegalArgumentException("unknown comment");
        } else {
          Sample sample = sample(line);
          require(family(sample.name(), types) != null, "sample before or without its TYPE");
          require(seen.add(sample.name() + sample.labels()), "series appears twice");
          samples.add(sample);
        }
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("line " + (i + 1) + ": " + e.getMessage() + ": " + line, e);
      }
    }
    PrometheusText parsed = new PrometheusText(types, samples);
    parsed.checkHistograms();
    return parsed;
  }

  private static Sample sample(String line) {
    int at = 0;
    while (at < line.length() && line.charAt(at) != '{' && line.charAt(at) != ' ') {
      at++;
    }
    String name = line.substring(0, at);
    require(METRIC_NAME.matcher(name).matches(), "bad metric name");
    Map<String, String> labels = new TreeMap<>();
    if (at < line.length() && line.charAt(at) == '{') {
      at++;
      while (line.charAt(at) != '}') {
        int eq = line.indexOf('=', at);
        String label = line.substring(at, eq);
        require(LABEL_NAME.matcher(label).matches(), "bad label name '" + label + "'");
        require(line.charAt(eq + 1) == '"', "label value not quoted");
        StringBuilder value = new StringBuilder();
        int j = eq + 2;
        for (; line.charAt(j) != '"'; j++) {
          char c = line.charAt(j);
          if (c == '\\') {
            char next = line.charAt(++j);
            value.append(switch (next) {
              case '\\' -> '\\';
              case '"' -> '"';
              case 'n' -> '\n';
              default -> throw new IllegalArgumentException("bad escape \\" + next);
            });
          } else {
            value.append(c);
          }
        }
        require(labels.put(label, value.toString()) == null, "label '" + label + "' twice");
        at = j + 1;
        if (line.charAt(at) == ',') {
          at++;
        } else {
          require(line.charAt(at) == '}', "expected , or }");
        }
      }
      at++;
    }
    require(at < line.length() && line.charAt(at) == ' ', "expected a space before the value");
    String[] rest = line.substring(at + 1).split(" ");
    require(rest.length == 1 || rest.length == 2, "expected a value and an optional timestamp");
    if (rest.length == 2) {
      Long.parseLong(rest[1]);
    }
    return new Sample(name, labels, value(rest[0]));
  }

  private static double value(String text) {
    return switch (text) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> Double.parseDouble(text);
    };
  }

  /** The family a sample name belongs to: itself, or itself without a suffix its family's type allows. */
  private static String family(String name, Map<String, String> types) {
    if (types.containsKey(name)) {
      return name;
    }
    for (String suffix : new String[] {"_total", "_created", "_bucket", "_count", "_sum"}) {
      if (name.endsWith(suffix)) {
        String base = name.substring(0, name.length() - suffix.length());
        String type = types.get(base);
        if (type != null && allows(type, suffix)) {
          return base;
        }
      }
    }
    return null;
  }

  private static boolean allows(String type, String suffix) {
    return switch (type) {
      case "counter" -> suffix.equals("_total") || suffix.equals("_created");
      case "histogram" -> !suffix.equals("_total");
      case "summary" -> suffix.equals("_count") || suffix.equals("_sum") || suffix.equals("_created");
      default -> false;
    };
  }

  private void checkHistograms() {
    Map<String, List<Sample>> buckets = new HashMap<>();
    for (Sample sample : samples) {
      if (sample.name().endsWith("_bucket")) {
        Map<String, String> series = new TreeMap<>(sample.labels());
        require(series.remove("le") != null, sample.name() + " without le");
        buckets.computeIfAbsent(sample.name() + series, k -> new ArrayList<>()).add(sample);
      }
    }
    buckets.forEach((series, list) -> {
      double previousLe = Double.NEGATIVE_INFINITY;
      double previousCount = 0;
      for (Sample bucket : list) {
        double le = value(bucket.labels().get("le"));
        require(le > previousLe, series + ": buckets not in increasing le order");
        require(bucket.value() >= previousCount, series + ": buckets not cumulative");
        previousLe = le;
        previousCount = bucket.value();
      }
      require(previousLe == Double.POSITIVE_INFINITY, series + ": no +Inf bucket");
      Sample last = list.get(list.size() - 1);
      Map<String, String> countLabels = new TreeMap<>(last.labels());
      countLabels.remove("le");
      String base = last.name().substring(0, last.name().length() - "_bucket".length());
      require(value(base + "_count", countLabels) == previousCount, series + ": +Inf bucket differs from _count");
    });
  }

  private static void require(boolean condition, String problem) {
    if (!condition) {
      throw new IllegalArgumentException(problem);
    }
  }

  /** Every sample, in the order of the text. */
  public List<Sample> samples() {
    return samples;
  }

  /** The declared families and their types. */
  public Map<String, String> types() {
    return types;
  }

  /** The samples named {@code name} exactly. */
  public List<Sample> samples(String name) {
    return samples.stream().filter(s -> s.name().equals(name)).toList();
  }

  /** The value of the sample {@code name} whose labels are exactly {@code labels}; throws when there is none. */
  public double value(String name, Map<String, String> labels) {
    return samples.stream().filter(s -> s.name().equals(name) && s.labels().equals(new TreeMap<>(labels)))
        .findFirst().orElseThrow(() -> new AssertionError("no sample " + name + labels + " in the scrape"))
        .value();
  }

  /** Like {@link #value(String, Map)}, with labels as name, value pairs. */
  public double value(String name, String... labels) {
    return value(name, pairs(labels));
  }

  /** Whether a sample {@code name} has labels including all of {@code labels} (name, value pairs). */
  public boolean has(String name, String... labels) {
    Map<String, String> wanted = pairs(labels);
    return samples.stream().anyMatch(s -> s.name().equals(name) && s.labels().entrySet().containsAll(wanted.entrySet()));
  }

  private static Map<String, String> pairs(String... labels) {
    Map<String, String> map = new TreeMap<>();
    for (int i = 0; i < labels.length; i += 2) {
      map.put(labels[i], labels[i + 1]);
    }
    return map;
  }
}
