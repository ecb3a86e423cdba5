package io.tapswitch.protocol.netty;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a JUnit test that leaked a Netty {@code ByteBuf} (see {@link CollectingLeakDetector}).
 */
public final class NoLeaksExtension implements AfterEachCallback
{
    @Override
    public void afterEach(final ExtensionContext context)
    {
        CollectingLeakDetector.assertNoLeaks();
    }
}
