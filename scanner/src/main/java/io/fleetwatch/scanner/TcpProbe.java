package io.fleetwatch.scanner;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The {@code tcp} probe: non-blocking connects (Netty, epoll where available) to a few ports of each address. A host
 * is alive when a connect succeeds or is refused (the refusal is the host's own RST); a timeout or "no route" says
 * nothing. At most {@code max_parallel_probes} connects are in flight, started at the policy's packet rate, and a host
 * found alive is not probed on its other ports.
 */
public final class TcpProbe implements AutoCloseable {
    public static final List<Integer> DEFAULT_PORTS = List.of(22, 80, 443, 445, 3389);

    /** The probe reads nothing: one shared, stateless handler for every connection. */
    @ChannelHandler.Sharable
    private static final class Nothing extends ChannelInboundHandlerAdapter {
    }

    private static final Nothing NOTHING = new Nothing();

    private final ScanPolicy policy;
    private final java.util.concurrent.atomic.LongAdder sent = new java.util.concurrent.atomic.LongAdder();
    private Rtt rtt;
    private final List<Integer> ports;
    private final EventLoopGroup group;
    private final Class<? extends Channel> channelType;

    public TcpProbe(ScanPolicy policy, List<Integer> ports) {
        this.policy = policy;
        this.ports = List.copyOf(ports);
        this.rtt = new Rtt(policy.probeTimeout());
        boolean epoll = Epoll.isAvailable();
        this.group = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        this.channelType = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /** The addresses of the batch that answered on any of the ports. */
    public Set<String> probe(int[] batch) throws InterruptedException {
        Set<String> alive = ConcurrentHashMap.newKeySet();
        Semaphore inFlight = new Semaphore(policy.maxParallelProbes());
        CountDownLatch done = new CountDownLatch(batch.length * ports.size());
        Bootstrap b = new Bootstrap().group(group).channel(channelType)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, rtt.timeout().toMillis()))
                .handler(NOTHING);
        Pacer pacer = new Pacer(policy, sent);
        for (int port : ports) {
            for (int a : batch) {
                String ip = Ipv4.format(a);
                if (alive.contains(ip)) {
                    done.countDown();
                    continue;
                }
                pacer.await();
                inFlight.acquire();
                InetSocketAddress target;
                try {
                    target = new InetSocketAddress(InetAddress.getByAddress(new byte[] {(byte) (a >>> 24),
                        (byte) (a >>> 16), (byte) (a >>> 8), (byte) a}), port);
                } catch (java.net.UnknownHostException e) {
                    throw new IllegalStateException(e); // four bytes are always an address
                }
                long t0 = System.nanoTime();
                ChannelFuture f = b.connect(target);
                f.addListener(done2 -> {
                    try {
                        if (done2.isSuccess()) {
                            rtt.sample(System.nanoTime() - t0);
                            alive.add(ip);
                            f.channel().close();
                        } else if (refused(done2.cause())) {
                            rtt.sample(System.nanoTime() - t0);
                            alive.add(ip);
                        }
                    } finally {
                        inFlight.release();
                        done.countDown();
                    }
                });
            }
        }
        done.await(policy.probeTimeout().toMillis() * 2 + 5_000, TimeUnit.MILLISECONDS);
        return Set.copyOf(alive);
    }

    /** "Connection refused" is an answer; a timeout or an unreachable network is not. */
    static boolean refused(Throwable t) {
        return t instanceof ConnectException && !(t instanceof ConnectTimeoutException)
                && String.valueOf(t.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("refused");
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    /** Packets this probe has sent so far. */
    public long sent() {
        return sent.sum();
    }

    /** Shares the sweep's round-trip estimate (answers seen by other probes shorten this one's waits). */
    TcpProbe rtt(Rtt shared) {
        this.rtt = shared;
        return this;
    }
}
