/**
 * Canary rollouts at the gateway: the weight of each route's canary (Spring Cloud Gateway's weight groups), changed at
 * runtime by an operator or rolled back to 0 by an Alertmanager alert, shared by every replica through PostgreSQL.
 */
@NullMarked
package ai.agency.gateway.rollout;

import org.jspecify.annotations.NullMarked;
