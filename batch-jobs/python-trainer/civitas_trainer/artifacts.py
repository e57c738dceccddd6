"""Model artifacts named in a manifest, found as the Java worker finds them (Artifacts.java).

- `classpath:<name>`: shipped with the bundled worker, inside one of the jars of its lib folder
  (CIVITAS_WORKER_CLASSPATH, which the server sets to that folder);
- `sha256:<hex>`: an operator's artifact that the site fetched from the coordinator into its
  artifact folder under its hash (CIVITAS_WORKER_ARTIFACTS);
- anything else: a file path.
"""
import glob
import hashlib
import os
import zipfile


class Artifacts:

    def __init__(self, classpath=None, artifact_dir=None):
        self.classpath = classpath
        self.artifact_dir = artifact_dir

    def read(self, location, field, expected_sha256=None):
        """The artifact's bytes, checked against its hash when one is given; errors name the manifest field."""
        if location.startswith("classpath:"):
            data = self._from_jars(location[len("classpath:"):], location, field)
        else:
            path = self._locate(location, field)
            try:
                with open(path, "rb") as f:
                    data = f.read()
            except FileNotFoundError:
                raise ValueError("%s: file '%s' does not exist" % (field, path))
            except OSError as e:
                raise ValueError("%s: cannot read '%s': %s" % (field, path, e))
        if expected_sha256 is not None:
            actual = hashlib.sha256(data).hexdigest()
            if actual != expected_sha256:
                raise ValueError("%s: '%s' has sha256 %s, the manifest says %s" % (field, location, actual, expected_sha256))
        return data

    def _locate(self, location, field):
        if not location.startswith("sha256:"):
            return location
        if not self.artifact_dir:
            raise ValueError("%s: the trainer has no artifact folder for '%s' (CIVITAS_WORKER_ARTIFACTS)" % (field, location))
        return os.path.join(self.artifact_dir, location[len("sha256:"):])

    def _from_jars(self, resource, location, field):
        if not self.classpath:
            raise ValueError("%s: '%s' is shipped with the bundled worker; the trainer needs its lib folder"
                             " (CIVITAS_WORKER_CLASSPATH or --classpath)" % (field, location))
        for entry in self.classpath.split(os.pathsep):
            candidates = sorted(glob.glob(os.path.join(entry, "*.jar"))) if os.path.isdir(entry) else [entry]
            if os.path.isdir(entry) and os.path.isfile(os.path.join(entry, resource)):
                with open(os.path.join(entry, resource), "rb") as f:
                    return f.read()
            for jar in candidates:
                try:
                    with zipfile.ZipFile(jar) as z:
                        if resource in z.namelist():
                            return z.read(resource)
                except (zipfile.BadZipFile, OSError):
                    continue
        raise ValueError("%s: '%s' is not on the worker's class path (%s)" % (field, location, self.classpath))
