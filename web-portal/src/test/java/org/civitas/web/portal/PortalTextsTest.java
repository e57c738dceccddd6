package org.civitas.web.portal;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ResourceBundle;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every text a page takes from the bundle is in it: a missing key would show as "???key???". */
class PortalTextsTest {

    private static final Pattern KEY = Pattern.compile("#\\{text(?:\\['([^']+)'\\]|\\.([A-Za-z0-9_]+))");

    @Test
    void everyKeyThePagesUseIsInTheBundle() throws IOException {
        ResourceBundle texts = ResourceBundle.getBundle("org.civitas.web.portal.texts");
        Set<String> used = new TreeSet<>();
        try (Stream<Path> pages = Files.walk(Path.of("src/main/webapp"))) {
            for (Path page : pages.filter(p -> p.toString().endsWith(".xhtml")).toList()) {
                Matcher m = KEY.matcher(Files.readString(page));
                while (m.find()) {
                    used.add(m.group(1) != null ? m.group(1) : m.group(2));
                }
            }
        }
        assertThat(used).contains("brand", "page.quality", "nav.audit");
        assertThat(used).allSatisfy(key -> assertThat(texts.containsKey(key)).as("key '" + key + "' in texts.properties").isTrue());
    }
}
