-- Issue 25: canary rollouts. The weight of a route's canary set at runtime (by an operator through /actuator/canary or
-- by the Alertmanager receiver rolling a failing canary back to 0) overrides the configured weight on every replica
-- while the route's canary URI is the one it was set for; each change is kept in canary_weight_changes (the audit).
CREATE TABLE canary_weights (
    route      text PRIMARY KEY,
    canary_uri text NOT NULL,
    weight     integer NOT NULL CHECK (weight BETWEEN 0 AND 100),
    source     text NOT NULL,
    reason     text NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE canary_weight_changes (
    id              bigserial PRIMARY KEY,
    route           text NOT NULL,
    canary_uri      text NOT NULL,
    weight          integer NOT NULL,
    previous_weight integer NOT NULL,
    source          text NOT NULL,
    reason          text NOT NULL,
    changed_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX canary_weight_changes_route ON canary_weight_changes (route, changed_at);
