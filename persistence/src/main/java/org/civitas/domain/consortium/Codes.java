package org.civitas.domain.consortium;

import java.util.regex.Pattern;

/** Codes name things in URLs and folders, so they are kept to lower-case letters, digits and dashes. */
public final class Codes {

    private static final Pattern CODE = Pattern.compile("[a-z][a-z0-9-]{1,63}");

    private Codes() {
    }

    public static String require(String code, String what) {
        if (code == null || !CODE.matcher(code).matches()) {
            throw new IllegalArgumentException(what + " '" + code
                    + "' must be 2-64 characters of lower-case letters, digits and '-', starting with a letter");
        }
        return code;
    }
}
