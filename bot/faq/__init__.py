"""The FAQ knowledge base (data/faq): specific answers under each intent, and the matcher that picks
the one a question asks for."""

from bot.faq.knowledge import FaqAnswer, FaqEntry, KnowledgeBase, load_knowledge_base
from bot.faq.matcher import FaqMatch, FaqMatcher

__all__ = ["FaqAnswer", "FaqEntry", "FaqMatch", "FaqMatcher", "KnowledgeBase", "load_knowledge_base"]
