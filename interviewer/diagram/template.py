"""The starter diagram the app can prefill: a two-stage recommender skeleton.

It draws the funnel only. Where the ranker reads its features and how what is served gets back
into training are left to the candidate (the comments say so), so the prefill is a start, not
the answer: checked as it is, it covers the funnel and lacks the feature paths and the loop.
"""

STARTER_TEMPLATE = """\
flowchart LR
    %% A two-stage recommender to start from: rename, add and connect boxes.
    user([User opens the feed]) --> api[Feed service]
    api --> cands[Candidate generation: two-tower ANN]
    cands -->|top 500| ranker[Ranker]
    ranker -->|top 50| api
    %% Where does the ranker read its features (batch and streaming)?
    %% What is logged from what was served, and how does it reach training?
"""
