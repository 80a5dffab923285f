/**
 * Data access for Fleetwatch's tables: one owner class per table family, each the only place that family's SQL
 * is written, used by the consumer, the API, the scan jobs and the CLI alike. Rows come back as immutable records.
 */
package io.fleetwatch.store;
