package io.fleetwatch.transport;

/** A consumer that asks its transport for each batch: maintenance mode and stopping are flags its {@code take} reads. */
abstract class PollingConsumer implements QueueConsumer {
    protected volatile boolean paused;
    protected volatile boolean stopped;

    @Override
    public void pause() {
        paused = true;
    }

    @Override
    public void resume() {
        paused = false;
    }

    @Override
    public void stopTaking() {
        stopped = true;
    }
}
