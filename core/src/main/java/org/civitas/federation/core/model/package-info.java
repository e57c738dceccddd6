/**
 * Model maths behind the trainer contract: a site's local training turns the global state and its
 * own data into an update. The smallest honest model (softmax regression) lives here until the
 * multimodal runtime takes its place behind the same {@link org.civitas.federation.core.model.LocalTrainer}.
 */
package org.civitas.federation.core.model;
