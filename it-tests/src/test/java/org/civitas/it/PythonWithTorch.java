package org.civitas.it;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * The Python the reference trainer runs on ({@code civitas.python}, Debian's by default), when it
 * can import the modules a test needs; null without them (that part of the test is then left out),
 * unless {@code civitas.python.required} is true, as in CI, where that is an error.
 */
final class PythonWithTorch {

    private PythonWithTorch() {
    }

    static String find(String... modules) {
        String python = System.getProperty("civitas.python", "/usr/bin/python3");
        String imports = String.join(", ", modules);
        boolean usable;
        try {
            Process p = new ProcessBuilder(python, "-c", "import " + imports).redirectErrorStream(true).start();
            usable = p.waitFor(2, TimeUnit.MINUTES) && p.exitValue() == 0;
        } catch (IOException e) {
            usable = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (!usable && Boolean.getBoolean("civitas.python.required")) {
            throw new IllegalStateException(python + " cannot import " + imports + " (bash .ci/ensure-python-torch.sh)");
        }
        return usable ? python : null;
    }
}
