/**
 * Plumbing every askpipe service shares and none owns, one subpackage per concern: {@code config},
 * {@code http}, {@code kafka}, {@code db}, {@code log}, {@code service}, {@code callback}, {@code
 * catalog}, {@code retry}, and fault injection ({@code fault}, with its seeded {@code chaos}).
 */
package io.askpipe.common;
