package org.civitas.web.portal;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.MessageFormat;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.ResourceBundle;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pages' words come from the {@code texts} bundle: every key a page or bean uses is in it (a
 * missing one would show as "???key???"), and no page writes a word of its own.
 */
class PortalTextsTest {

    private static final Path WEBAPP = Path.of("src/main/webapp");
    private static final Path SOURCES = Path.of("src/main/java");
    private static final Pattern PAGE_KEY = Pattern.compile("text(?:\\['([^']+)'\\]|\\.([A-Za-z0-9_]+))");
    private static final Pattern BEAN_KEY = Pattern.compile("Texts\\.of\\(\"([a-z][A-Za-z0-9_.-]+)\"");
    private static final Pattern EL = Pattern.compile("#\\{[^}]*\\}");
    private static final Pattern WORD = Pattern.compile("[A-Za-z]{2,}");
    // Attributes a user reads; ids, styles, outcomes and values bound to beans are not words for the user.
    private static final Set<String> READ_ATTRIBUTES = Set.of("value", "headerText", "header", "legend", "placeholder", "itemLabel",
            "title", "alt", "converterMessage", "requiredMessage", "validatorMessage", "emptyMessage");
    private static final Set<String> BOUND_VALUE_ELEMENTS = Set.of("p:inputText", "p:inputTextarea", "p:selectOneMenu",
            "p:selectManyCheckbox", "p:spinner", "p:password", "h:inputHidden", "f:viewParam", "p:chart", "p:progressBar",
            "ui:repeat", "p:dataTable", "ui:param", "f:param", "input", "f:selectItems", "f:selectItem", "h:outputLink");

    private final ResourceBundle texts = ResourceBundle.getBundle("org.civitas.web.portal.texts");

    @Test
    void everyKeyThePagesAndBeansUseIsInTheBundle() throws Exception {
        Set<String> used = new TreeSet<>();
        for (Path page : files(WEBAPP, ".xhtml")) {
            Matcher m = PAGE_KEY.matcher(Files.readString(page));
            while (m.find()) {
                used.add(m.group(1) != null ? m.group(1) : m.group(2));
            }
        }
        for (Path source : files(SOURCES, ".java")) {
            Matcher m = BEAN_KEY.matcher(Files.readString(source));
            while (m.find()) {
                used.add(m.group(1));
            }
        }
        assertThat(used).contains("brand", "page.quality", "nav.audit", "agreements.requested", "federations.started");
        assertThat(used).allSatisfy(key -> assertThat(texts.containsKey(key)).as("key '" + key + "' in texts.properties").isTrue());
    }

    @Test
    void theBundleDefinesEachKeyOnce() throws Exception {
        // java.util.Properties keeps the last of two lines with one key: the first would be lost without a word
        List<String> keys = new ArrayList<>();
        boolean continued = false;
        for (String line : Files.readAllLines(Path.of("src/main/resources/org/civitas/web/portal/texts.properties"))) {
            if (!continued && !line.isBlank() && !line.startsWith("#")) {
                keys.add(line.substring(0, line.indexOf('=')).strip());
            }
            continued = line.endsWith("\\");
        }
        assertThat(keys).hasSizeGreaterThan(300).doesNotHaveDuplicates();
    }

    @Test
    void noPageWritesWordsOfItsOwn() throws Exception {
        List<String> words = new ArrayList<>();
        for (Path page : files(WEBAPP, ".xhtml")) {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            Document document = factory.newDocumentBuilder().parse(page.toFile());
            collect(WEBAPP.relativize(page).toString(), document.getDocumentElement(), words);
        }
        assertThat(words).as("words written in the pages instead of the bundle").isEmpty();
    }

    @Test
    void theBundlesPatternsFormat() {
        for (String key : Collections.list(texts.getKeys())) {
            String value = texts.getString(key);
            if (value.contains("{0}")) {
                // MessageFormat takes a lone apostrophe as a quote and drops it: a pattern writes it twice
                assertThat(value.replace("''", "")).as(key).doesNotContain("'");
                assertThat(new MessageFormat(value).format(new Object[] {"a", "b", "c", "d", "e", "f", "g", "h"})).as(key).doesNotContain("{");
            }
        }
    }

    private static void collect(String page, Element element, List<String> words) {
        String tag = element.getTagName();
        if (tag.equals("script") || tag.equals("style")) {
            return;
        }
        NamedNodeMap attributes = element.getAttributes();
        for (int i = 0; i < attributes.getLength(); i++) {
            Node a = attributes.item(i);
            boolean bound = a.getNodeName().equals("value") && BOUND_VALUE_ELEMENTS.contains(tag);
            if (READ_ATTRIBUTES.contains(a.getNodeName()) && !bound) {
                check(page, tag + "@" + a.getNodeName(), a.getNodeValue(), words);
            }
        }
        for (Node child = element.getFirstChild(); child != null; child = child.getNextSibling()) {
            if (child instanceof Element e) {
                collect(page, e, words);
            } else if (child.getNodeType() == Node.TEXT_NODE) {
                check(page, tag, child.getNodeValue(), words);
            }
        }
    }

    private static void check(String page, String where, String text, List<String> words) {
        if (WORD.matcher(EL.matcher(text).replaceAll("")).find()) {
            words.add(page + " " + where + ": " + text.strip());
        }
    }

    private static List<Path> files(Path root, String suffix) throws Exception {
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
        }
    }
}
