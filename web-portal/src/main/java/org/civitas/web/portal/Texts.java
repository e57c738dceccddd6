package org.civitas.web.portal;

import jakarta.faces.context.FacesContext;

import java.text.MessageFormat;
import java.util.Arrays;
import java.util.Locale;
import java.util.ResourceBundle;

/**
 * The portal's words for what beans write (messages, chart labels), from the same {@code texts}
 * bundle the pages read as {@code #{text[...]}}. A text with arguments is a MessageFormat pattern;
 * each argument is put in as written ({@code String.valueOf}), so an id of 1234 stays "1234".
 */
public final class Texts {

    static final String BUNDLE = "org.civitas.web.portal.texts";

    private Texts() {
    }

    public static String of(String key, Object... args) {
        FacesContext faces = FacesContext.getCurrentInstance();
        ResourceBundle bundle = faces == null ? ResourceBundle.getBundle(BUNDLE, Locale.ROOT)
                : faces.getApplication().getResourceBundle(faces, "text");
        String text = bundle.getString(key);
        if (args.length == 0) {
            return text;
        }
        return new MessageFormat(text, bundle.getLocale()).format(Arrays.stream(args).map(String::valueOf).toArray());
    }
}
