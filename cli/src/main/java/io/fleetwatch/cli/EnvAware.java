package io.fleetwatch.cli;

import java.util.Map;

/** A command that reads its configuration from an injected environment. */
abstract class EnvAware {
    protected Map<String, String> env = Map.of();

    void setEnv(Map<String, String> env) {
        this.env = env;
    }
}
