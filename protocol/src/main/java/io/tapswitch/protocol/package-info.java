/**
 * Tap Protocol v1 (see {@code protocol/TAP-PROTOCOL.md}): constants ({@link io.tapswitch.protocol.FrameHeader},
 * {@link io.tapswitch.protocol.MessageType}, {@link io.tapswitch.protocol.Messages},
 * {@link io.tapswitch.protocol.ReasonCode}, {@link io.tapswitch.protocol.Decision}), one zero-allocation flyweight
 * encoder and decoder per message over Agrona buffers, frame validation with named failures
 * ({@link io.tapswitch.protocol.FrameValidator}) and the LOGON mac ({@link io.tapswitch.protocol.LogonMac}).
 * <p>
 * Flyweights and {@code LogonMac} are not thread-safe: each thread keeps its own instances and re-wraps them.
 */
package io.tapswitch.protocol;
