package io.fleetwatch.api;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.swagger.v3.oas.annotations.Hidden;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code /openapi/}: a page that links the generated document and lists its paths, so the address the README gives
 * answers in a browser. Open, like the document itself; no viewer from a CDN (the page works offline).
 */
@Hidden
@Controller("/openapi")
public final class OpenApiIndex {
    private static final Pattern PATH = Pattern.compile("^  (/\\S*):$");
    private static final Pattern METHOD = Pattern.compile("^    (get|put|post|delete|patch|head|options):$");

    private final String page;

    public OpenApiIndex() {
        this.page = render(paths(document()));
    }

    @Get(produces = MediaType.TEXT_HTML)
    public HttpResponse<String> index() {
        return HttpResponse.ok(page).contentType(MediaType.TEXT_HTML + ";charset=utf-8");
    }

    private static String document() {
        try (InputStream in = OpenApiIndex.class.getResourceAsStream("/META-INF/swagger/" + ApiDocument.FILE)) {
            return in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Each path with its methods, in the document's order (the YAML's two-space layout, as micronaut-openapi writes it). */
    static Map<String, List<String>> paths(String yaml) {
        Map<String, List<String>> paths = new LinkedHashMap<>();
        boolean inPaths = false;
        List<String> current = null;
        for (String line : yaml.split("\n")) {
            if (!line.startsWith(" ") && !line.isBlank()) {
                inPaths = line.equals("paths:");
                continue;
            }
            Matcher p = PATH.matcher(line);
            Matcher m = METHOD.matcher(line);
            if (inPaths && p.matches()) {
                current = new ArrayList<>();
                paths.put(p.group(1), current);
            } else if (inPaths && current != null && m.matches()) {
                current.add(m.group(1).toUpperCase(java.util.Locale.ROOT));
            }
        }
        return paths;
    }

    static String render(Map<String, List<String>> paths) {
        String doc = "/openapi/" + ApiDocument.FILE;
        StringBuilder rows = new StringBuilder();
        paths.forEach((path, methods) -> rows.append("<tr><td>").append(escape(String.join(" ", methods)))
                .append("</td><td><code>").append(escape(path)).append("</code></td></tr>\n"));
        return """
                <!doctype html>
                <html lang="en">
                <head><meta charset="utf-8"><title>Fleetwatch API</title>
                <style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
                td{padding:.15rem .8rem .15rem 0;vertical-align:top}</style></head>
                <body>
                <h1>Fleetwatch API</h1>
                <p>The OpenAPI 3 document, generated from the code: <a href="%s">%s</a>.
                Load it into an OpenAPI viewer, editor or client generator.</p>
                <p>Everything under <code>/api</code> needs <code>Authorization: Bearer TOKEN</code>: a viewer token
                reads, an admin token writes (<code>fleetwatch admin create-token</code>). The web dashboard is at
                <a href="/ui/index.html">/ui/</a>.</p>
                <table>
                %s</table>
                </body>
                </html>
                """.formatted(doc, escape(ApiDocument.FILE), rows);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
