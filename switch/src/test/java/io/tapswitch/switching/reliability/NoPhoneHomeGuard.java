package io.tapswitch.switching.reliability;

import java.net.SocketPermission;
import java.security.Permission;

/**
 * A security manager for the child switch of {@link NoPhoneHomeTest} ({@code -Djava.security.manager=<this class>}):
 * it permits everything and reports, on stderr, every socket connection and every host name resolution the JVM
 * attempts (Java's own socket API, URL connections and DNS lookups all pass through it), so the test can prove the
 * switch reaches no host but the loopback. It never throws: the switch runs as it would without it.
 * <p>
 * Thread-safe (stateless).
 */
public final class NoPhoneHomeGuard extends SecurityManager
{
    /** Prefix of a report line for a connection attempt. */
    public static final String CONNECT = "NO-PHONE-HOME connect ";
    /** Prefix of a report line for a name resolution. */
    public static final String RESOLVE = "NO-PHONE-HOME resolve ";

    /** Printed once when the JVM installs the guard. */
    public static final String INSTALLED = "NO-PHONE-HOME guard installed";
    /** Prefix of a report line for a listening socket. */
    public static final String LISTEN = "NO-PHONE-HOME listen ";

    public NoPhoneHomeGuard()
    {
        System.err.println(INSTALLED);
    }

    @Override
    public void checkPermission(final Permission permission)
    {
        if (permission instanceof SocketPermission)
        {
            final String actions = permission.getActions();
            if (actions.contains("connect"))
            {
                System.err.println(CONNECT + permission.getName());
            }
            else if (actions.contains("resolve"))
            {
                System.err.println(RESOLVE + permission.getName());
            }
            else if (actions.contains("listen"))
            {
                System.err.println(LISTEN + permission.getName());
            }
        }
    }

    @Override
    public void checkPermission(final Permission permission, final Object context)
    {
        checkPermission(permission);
    }
}
