"""Routing, queues' rules and the reviewer's actions (issue 6).

- ``config``: the versioned YAML rules (routing, deadlines, authority, denial reasons, messages);
- ``rules``: ``route_claim(RoutingInputs, RoutingConfig) -> RoutingDecision`` (pure);
- ``deadlines``: deadlines by queue, line and amount band; the escalation plan (pure);
- ``stage``: ``route_and_enqueue``, the last stage of ``process_claim``;
- ``escalation``: ``escalate_due``, run by ``flows/escalate.py``;
- ``authority``: who may do what, up to which amount; masking;
- ``payable``: the payable amount from deductible, co-payment and limit (pure);
- ``letters`` / ``milestones``: customer messages and denial letters in the claim's language;
- ``actions``: approve, deny, request documents, refer, send to panel, release;
- ``report``: the queue listing ``make demo`` prints.
"""
