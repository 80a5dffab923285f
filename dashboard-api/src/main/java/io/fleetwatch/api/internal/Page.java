package io.fleetwatch.api.internal;

/** {@code ?limit=&offset=} of the list endpoints, checked in one place (400 naming the parameter). */
public record Page(int limit, int offset) {
    /** {@code limit} defaults to {@code defaultLimit} and must be 1..max; {@code offset} defaults to 0, never negative. */
    public static Page of(Integer limit, Integer offset, int defaultLimit, int max) {
        int n = limit == null ? defaultLimit : limit;
        int skip = offset == null ? 0 : offset;
        if (n < 1 || n > max) {
            throw new Fields.Invalid("limit must be between 1 and " + max);
        }
        if (skip < 0) {
            throw new Fields.Invalid("offset must be 0 or more");
        }
        return new Page(n, skip);
    }
}
