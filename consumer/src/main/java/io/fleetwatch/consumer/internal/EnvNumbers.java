package io.fleetwatch.consumer.internal;

import java.util.Map;

/** Numbers from the environment: a missing or blank key gives the default, a bad value an error naming the key. */
public final class EnvNumbers {
    private EnvNumbers() {}

    public static long get(Map<String, String> env, String key, long fallback) {
        String v = env.get(key);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": '" + v + "' is not a number");
        }
    }

    public static int getInt(Map<String, String> env, String key, int fallback) {
        long n = get(env, key, fallback);
        if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(key + ": " + n + " is out of range");
        }
        return (int) n;
    }
}
