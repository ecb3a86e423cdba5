package io.tapswitch.admin.console;

import io.tapswitch.admin.AdminContext;

/**
 * What a group of the console's pages works with: the {@link Console} (rendering, the loopback API, shared helpers),
 * the service's resources and the messages of both languages.
 */
abstract class ConsolePages
{
    final Console console;
    final AdminContext ctx;
    final Messages messages;

    ConsolePages(final Console console)
    {
        this.console = console;
        this.ctx = console.ctx;
        this.messages = console.messages;
    }
}
