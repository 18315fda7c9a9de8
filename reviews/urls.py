from django.urls import path

from reviews import views, views_matrix

app_name = "reviews"

urlpatterns = [
    path("<slug:team>/matrix/", views_matrix.team_matrix_page, name="matrix"),
    path("<slug:team>/reviews/", views.review_list, name="list"),
    path("<slug:team>/reviews/<int:review_id>/", views.review_detail, name="detail"),
    path("<slug:team>/reviews/<int:review_id>/items/<int:item_id>/", views.item_decide, name="item-decide"),
    path("<slug:team>/reviews/<int:review_id>/keep-unflagged/", views.keep_unflagged, name="keep-unflagged"),
    path("<slug:team>/reviews/<int:review_id>/close/", views.review_close, name="close"),
    path("<slug:team>/reviews/<int:review_id>/report/", views.review_report, name="report"),
]
