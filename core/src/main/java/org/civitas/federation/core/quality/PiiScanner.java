package org.civitas.federation.core.quality;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Personal data in free text: e-mail addresses, phone numbers, ID-number patterns and personal
 * names from a list. Finds what is there and redacts it for the curated output.
 */
public final class PiiScanner {

    /** One piece of personal data: its kind and where it sits in the text. */
    public record Match(String kind, int start, int end) {
    }

    private static final Pattern EMAIL = Pattern.compile("[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}");
    // An international or a long local number: 9 to 15 digits with spaces, dots or dashes between groups.
    private static final Pattern PHONE = Pattern.compile("(?<![\\w-])\\+?\\d[\\d .-]{7,18}\\d(?![\\w-])");
    // Letters and digits in dash-separated groups, with at least two groups of digits, as ID and account numbers look.
    private static final Pattern ID_NUMBER = Pattern.compile("\\b[A-Z]{1,4}-\\d{3,}(?:-\\d{2,})+\\b|\\b\\d{3}-\\d{2}-\\d{4}\\b");

    private final Pattern names;

    /**
     * A scanner that also looks for personal names: each listed given name as a capitalised whole
     * word, with the capitalised word after it taken as the family name.
     */
    public PiiScanner(Collection<String> givenNames) {
        List<String> quoted = givenNames.stream().map(String::strip).filter(n -> !n.isEmpty())
                .sorted((a, b) -> b.length() - a.length()).map(Pattern::quote).toList();
        this.names = quoted.isEmpty() ? null
                : Pattern.compile("\\b(?:" + String.join("|", quoted) + ")\\b(?:\\s+[A-Z][a-z'-]+)?");
    }

    /** A scanner with the names shipped with the platform ({@code pii-names.txt}). */
    public static PiiScanner withDefaultNames() {
        try (var in = PiiScanner.class.getResourceAsStream("pii-names.txt")) {
            if (in == null) {
                throw new IllegalStateException("pii-names.txt is missing from the classpath");
            }
            List<String> names = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
            return new PiiScanner(names);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public List<Match> find(String text) {
        List<Match> found = new ArrayList<>();
        if (text == null) {
            return found;
        }
        collect(EMAIL, "email", text, found);
        collect(ID_NUMBER, "id_number", text, found);
        collect(PHONE, "phone", text, found);
        if (names != null) {
            collect(names, "name", text, found);
        }
        found.sort((a, b) -> a.start() - b.start());
        return found;
    }

    /** The text with every match replaced by its kind in brackets, for example {@code [email]}. */
    public String redact(String text) {
        List<Match> found = find(text);
        if (found.isEmpty()) {
            return text;
        }
        StringBuilder out = new StringBuilder();
        int at = 0;
        for (Match m : found) {
            out.append(text, at, m.start()).append('[').append(m.kind()).append(']');
            at = m.end();
        }
        return out.append(text.substring(at)).toString();
    }

    private static void collect(Pattern pattern, String kind, String text, List<Match> found) {
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            if (kind.equals("phone") && m.group().chars().filter(Character::isDigit).count() < 9) {
                continue; // a date, a time or a reference number, not a phone number
            }
            int start = m.start();
            int end = m.end();
            // An e-mail's local part or an ID's digits are not found a second time as a name or a phone number.
            if (found.stream().noneMatch(f -> start < f.end() && f.start() < end)) {
                found.add(new Match(kind.toLowerCase(Locale.ROOT), start, end));
            }
        }
    }
}
