package io.askpipe.ingest.validate;

import io.askpipe.common.http.ProblemException;

/**
 * A JSON pointer (RFC 6901) into the submitted body, such as {@code /messages/3/content}: what a
 * validation problem names.
 */
record Pointer(String path) {
    static final Pointer ROOT = new Pointer("");

    /** The member {@code name} of the object here, escaped as RFC 6901 asks. */
    Pointer field(String name) {
        return new Pointer(path + "/" + name.replace("~", "~0").replace("/", "~1"));
    }

    /** The element {@code index} of the array here. */
    Pointer index(int index) {
        return new Pointer(path + "/" + index);
    }

    /** The 422 problem that the value here is wrong: {@code detail} says how. */
    ProblemException invalid(String detail) {
        return ProblemException.invalidField(path, detail);
    }

    @Override
    public String toString() {
        return path;
    }
}
