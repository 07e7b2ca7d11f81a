from django.urls import path

from dondoc.portal import views

app_name = "portal"

urlpatterns = [
    path("portal/", views.home, name="home"),
    path("portal/news/<slug:slug>/", views.article_detail, name="article"),
    path("portal/category/<slug:slug>/", views.category_detail, name="category"),
    path("portal/category/<slug:slug>/rss/", views.ArticlesFeed(), name="category_rss"),
    path("portal/category/<slug:slug>/atom/", views.ArticlesAtomFeed(), name="category_atom"),
    path("portal/tag/<slug:slug>/", views.tag_detail, name="tag"),
    path("portal/search/", views.search, name="search"),
    path("portal/language/<str:code>/", views.language, name="language"),
    path("portal/rss/", views.ArticlesFeed(), name="rss"),
    path("portal/atom/", views.ArticlesAtomFeed(), name="atom"),
    path("portal/images/<int:pk>/", views.image, name="image"),
    path("portal/progress/", views.progress_list, name="progress_list"),
    path("portal/progress/<int:pk>/", views.progress_detail, name="progress"),
    path("portal/manage/", views.manage, name="manage"),
    path("portal/manage/articles/new/", views.article_edit, name="manage_article_new"),
    path("portal/manage/articles/<int:pk>/", views.article_edit, name="manage_article"),
    path("portal/manage/articles/<int:pk>/publish/", views.article_publish,
         name="manage_publish"),
    path("portal/manage/articles/<int:pk>/unpublish/", views.article_unpublish,
         name="manage_unpublish"),
    path("portal/manage/categories/", views.categories, name="categorys"),
    path("portal/manage/categories/<int:pk>/", views.categories, name="category_edit"),
    path("portal/manage/links/", views.links, name="links"),
    path("portal/manage/links/<int:pk>/", views.links, name="link_edit"),
    path("portal/manage/documents/", views.documents, name="manage_documents"),
]
