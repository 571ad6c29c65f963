"""The ``reproduce`` pipeline: its command (``reproduce``), the stage graph (``graph``) and the
settings of its stages (``settings``), the resumable runner (``stages``), and the stages
themselves: the corpus (``data_stages``), training (``training_stages``), ConSeq's candidates,
scores and pairs (``conseq_stages``, ``candidates``, ``cached_predict``), the test evaluation
(``evaluate``) and the results (``results``)."""
