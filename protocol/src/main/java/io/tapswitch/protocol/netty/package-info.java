/**
 * Netty side of Tap Protocol v1: {@link io.tapswitch.protocol.netty.TapFrameDecoder} splits a connection's byte
 * stream into validated frames (or one {@link io.tapswitch.protocol.netty.MalformedFrame} and then silence), and
 * {@link io.tapswitch.protocol.netty.ByteBufFrames} lets the Agrona flyweights read those frames in place.
 */
package io.tapswitch.protocol.netty;
