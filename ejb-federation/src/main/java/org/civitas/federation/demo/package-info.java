/**
 * The demo consortium: seeding the coordinator with the reference enterprises, sites, users and
 * agreements, and generating each demo site's synthetic data. Nothing outside this package
 * depends on it.
 */
package org.civitas.federation.demo;
